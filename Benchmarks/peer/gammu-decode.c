/*
 * Peer decoder for `scripts/bench-pdu.sh`: decodes the same PDU corpus as `smskit bench pdu`
 * with Gammu's C library (libgammu, Debian's libgammu-dev) and prints PDUs per second.
 *
 * Usage: gammu-decode CORPUS_FILE ITERATIONS
 * The corpus is one PDU per line, in hex, with the leading SMSC field (as `AT+CMGR` prints it).
 * Hex is converted to bytes once, before timing, exactly as `smskit bench pdu` does.
 */
#include <gammu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s CORPUS ITERATIONS\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    long iterations = atol(argv[2]);

    unsigned char *pdus[4096]; size_t lens[4096]; size_t count = 0;
    char line[2048];
    while (count < 4096 && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n"); line[n] = 0;
        if (n < 2 || n % 2) continue;
        unsigned char *b = malloc(n / 2); int ok = 1;
        for (size_t i = 0; i < n / 2; i++) {
            int hi = hexval(line[2 * i]), lo = hexval(line[2 * i + 1]);
            if (hi < 0 || lo < 0) { ok = 0; break; }
            b[i] = (unsigned char)(hi << 4 | lo);
        }
        if (!ok) { free(b); continue; }
        pdus[count] = b; lens[count] = n / 2; count++;
    }
    fclose(f);
    if (count == 0) { fprintf(stderr, "empty corpus\n"); return 2; }

    GSM_Debug_Info *di = GSM_GetGlobalDebug();
    GSM_SetDebugLevel("nothing", di);
    GSM_SMSMessage *sms = malloc(sizeof *sms);
    size_t failures = 0; unsigned long checksum = 0;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long it = 0; it < iterations; it++) {
        for (size_t i = 0; i < count; i++) {
            size_t pos = 0;
            GSM_SetDefaultReceivedSMSData(sms);
            if (GSM_DecodePDUFrame(di, sms, pdus[i], lens[i], &pos, TRUE) != ERR_NONE) failures++;
            else checksum += (unsigned long)sms->Length + sms->Text[0];
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double total = (double)iterations * (double)count;
    printf("{\"decoder\":\"gammu\",\"pdus\":%zu,\"iterations\":%ld,\"seconds\":%.6f,"
           "\"pdus_per_second\":%.0f,\"ns_per_pdu\":%.1f,\"failures_per_iteration\":%zu,\"checksum\":%lu}\n",
           count, iterations, secs, total / secs, secs * 1e9 / total, failures / (size_t)(iterations ? iterations : 1), checksum);
    free(sms);
    for (size_t i = 0; i < count; i++) free(pdus[i]);
    return 0;
}
