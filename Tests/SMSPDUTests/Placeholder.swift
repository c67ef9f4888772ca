// Placeholder so the test target builds; replaced as the target's issue lands.
