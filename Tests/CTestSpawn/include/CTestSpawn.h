#ifndef SMSKIT_CTESTSPAWN_H
#define SMSKIT_CTESTSPAWN_H
#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from birth (no window for another thread's spawn).
int smskit_test_pipe_cloexec(int fds[2]);

/// Adds "close every descriptor from `low` up" to `actions` (glibc 2.34's
/// posix_spawn_file_actions_addclosefrom_np), so a child gets only what was dup2'd into 0…low-1.
int smskit_test_spawn_closefrom(posix_spawn_file_actions_t *actions, int low);

#endif
