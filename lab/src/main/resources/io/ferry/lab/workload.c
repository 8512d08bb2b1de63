/*
 * Ferry lab workload: writes verifiable 4096-byte records to a block device.
 *
 * Configured from /proc/cmdline:
 *   ferry.mode=write|verify|idle  (default idle)
 *   ferry.rate=<records/s>        (0 = as fast as possible; default 0)
 *   ferry.max=<records in total>  (0 = until the end of the disk; default 0)
 *   ferry.disk=<device>           (default /dev/vda)
 *
 * Record number i lives at byte offset i*4096 of the disk:
 *   0..8      magic, ASCII "FRYREC01"
 *   8..16     seq, u64 little-endian (== slot number i)
 *   16..24    boot id, u64 LE (random per boot)
 *   24..32    CLOCK_REALTIME in ns, u64 LE
 *   32..4088  payload: 507 u64 LE words of the xorshift64* stream
 *               x = (seq * 0x9E3779B97F4A7C15) ^ bootId   (mod 2^64)
 *               if x == 0: x = 0x9E3779B97F4A7C15
 *               for each word: x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
 *                              word = x * 0x2545F4914F6CDD1D   (mod 2^64)
 *   4088..4096 FNV-1a 64 over bytes 0..4088, u64 LE
 *               (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
 *
 * A record is valid iff magic, checksum, seq == slot and payload all match.
 * The same rules are implemented in io.ferry.lab.RecordFormat (Java).
 *
 * At boot the workload scans from slot 0 while records are valid -> N and prints
 *   FERRY-VERIFY records=N status=ok
 * or status=bad reason=... if a valid record with seq > N is found in the next
 * 256 slots. In write mode it continues at slot N, one record per pwrite on an
 * O_DIRECT|O_DSYNC fd, so any point-in-time copy of the disk holds a prefix.
 * It prints FERRY-PROGRESS seq=<records on disk> whenever that count is a
 * multiple of 256, and FERRY-DONE records=<n> when it stops; then it idles.
 *
 * SIGTERM (sent by /init on the ACPI power button) stops it between records: the
 * record being written is completed, write mode prints FERRY-DONE records=<n> if it
 * has not already, the number of records on disk (unknown in idle mode: no file) is
 * left in /tmp/ferry-records for /init, and it exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REC 4096
#define PAYLOAD_OFF 32
#define SUM_OFF 4088
#define BATCH 256

static const char MAGIC[8] = {'F', 'R', 'Y', 'R', 'E', 'C', '0', '1'};

static void put64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint64_t fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ULL; }
    return h;
}
static uint64_t seed_of(uint64_t seq, uint64_t boot) {
    uint64_t x = (seq * 0x9E3779B97F4A7C15ULL) ^ boot;
    return x ? x : 0x9E3779B97F4A7C15ULL;
}
static void fill_payload(unsigned char *rec, uint64_t seq, uint64_t boot) {
    uint64_t x = seed_of(seq, boot);
    for (int off = PAYLOAD_OFF; off < SUM_OFF; off += 8) {
        x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
        put64(rec + off, x * 0x2545F4914F6CDD1DULL);
    }
}
static void make_record(unsigned char *rec, uint64_t seq, uint64_t boot) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    memcpy(rec, MAGIC, 8);
    put64(rec + 8, seq);
    put64(rec + 16, boot);
    put64(rec + 24, (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
    fill_payload(rec, seq, boot);
    put64(rec + SUM_OFF, fnv1a(rec, SUM_OFF));
}
/* 1 = valid record for this slot, 0 = not a record, -1 = looks like a record for another slot */
static int check_record(const unsigned char *rec, uint64_t slot) {
    if (memcmp(rec, MAGIC, 8) != 0) return 0;
    if (get64(rec + SUM_OFF) != fnv1a(rec, SUM_OFF)) return 0;
    uint64_t seq = get64(rec + 8);
    if (seq != slot) return -1;
    uint64_t x = seed_of(seq, get64(rec + 16));
    for (int off = PAYLOAD_OFF; off < SUM_OFF; off += 8) {
        x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
        if (get64(rec + off) != x * 0x2545F4914F6CDD1DULL) return 0;
    }
    return 1;
}

static char cmdline[4096];
static const char *param(const char *key, const char *dflt, char *out, size_t outlen) {
    size_t klen = strlen(key);
    for (char *p = cmdline; *p;) {
        while (*p == ' ' || *p == '\n') p++;
        char *end = p;
        while (*end && *end != ' ' && *end != '\n') end++;
        if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = (size_t)(end - p) - klen - 1;
            if (n >= outlen) n = outlen - 1;
            memcpy(out, p + klen + 1, n);
            out[n] = 0;
            return out;
        }
        p = end;
    }
    snprintf(out, outlen, "%s", dflt);
    return out;
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t off = 0;
    while (off < n) {
        ssize_t w = write(1, buf + off, (size_t)(n - off));
        if (w <= 0) { if (errno == EINTR) continue; break; }
        off += w;
    }
}

static volatile sig_atomic_t term_requested;
static void on_term(int sig) { (void)sig; term_requested = 1; }

/* Waits for SIGTERM, then leaves n (if known, n >= 0) in /tmp/ferry-records and exits 0. */
static void idle_until_term(long long n) {
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    while (!term_requested) sigsuspend(&old);
    if (n >= 0) {
        FILE *f = fopen("/tmp/ferry-records", "w");
        if (f) { fprintf(f, "%lld\n", n); fclose(f); }
    }
    exit(0);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    int cf = open("/proc/cmdline", O_RDONLY);
    if (cf >= 0) {
        ssize_t n = read(cf, cmdline, sizeof cmdline - 1);
        if (n > 0) cmdline[n] = 0;
        close(cf);
    }
    char mode[32], rates[32], maxs[32], disk[256];
    param("ferry.mode", "idle", mode, sizeof mode);
    param("ferry.rate", "0", rates, sizeof rates);
    param("ferry.max", "0", maxs, sizeof maxs);
    param("ferry.disk", "/dev/vda", disk, sizeof disk);
    uint64_t rate = strtoull(rates, NULL, 10);
    uint64_t max = strtoull(maxs, NULL, 10);

    if (strcmp(mode, "write") != 0 && strcmp(mode, "verify") != 0) idle_until_term(-1);

    int rfd = open(disk, O_RDONLY | O_DIRECT);
    if (rfd < 0) {
        say("FERRY-ERROR op=open disk=%s errno=%d (%s)", disk, errno, strerror(errno));
        idle_until_term(-1);
    }
    uint64_t size = 0;
    if (ioctl(rfd, BLKGETSIZE64, &size) != 0) {
        struct stat st;
        if (fstat(rfd, &st) == 0) size = (uint64_t)st.st_size;
    }
    uint64_t slots = size / REC;

    unsigned char *buf;
    if (posix_memalign((void **)&buf, REC, (size_t)REC * BATCH) != 0) {
        say("FERRY-ERROR op=alloc");
        idle_until_term(-1);
    }
    /* scan the valid prefix */
    uint64_t n = 0;
    int done = 0;
    while (!done && n < slots) {
        uint64_t want = slots - n < BATCH ? slots - n : BATCH;
        ssize_t r = pread(rfd, buf, (size_t)(want * REC), (off_t)(n * REC));
        if (r < REC) {
            say("FERRY-ERROR op=read disk=%s slot=%llu errno=%d", disk, (unsigned long long)n, errno);
            idle_until_term(-1);
        }
        uint64_t got = (uint64_t)r / REC;
        for (uint64_t i = 0; i < got; i++) {
            if (check_record(buf + i * REC, n) != 1) { done = 1; break; }
            n++;
        }
    }
    /* look for stray records after the prefix */
    char reason[160] = "";
    uint64_t end = n + 1 + BATCH < slots ? n + 1 + BATCH : slots;
    for (uint64_t s = n; s < end && !reason[0]; s += BATCH) {
        uint64_t want = end - s < BATCH ? end - s : BATCH;
        ssize_t r = pread(rfd, buf, (size_t)(want * REC), (off_t)(s * REC));
        if (r < REC) break;
        for (uint64_t i = 0; i < (uint64_t)r / REC; i++) {
            uint64_t slot = s + i;
            int c = check_record(buf + i * REC, slot);
            if (c == 1 && slot > n) {
                snprintf(reason, sizeof reason, "record-after-hole slot=%llu hole=%llu",
                         (unsigned long long)slot, (unsigned long long)n);
                break;
            }
            if (c == -1) {
                snprintf(reason, sizeof reason, "misplaced-record slot=%llu seq=%llu",
                         (unsigned long long)slot, (unsigned long long)get64(buf + i * REC + 8));
                break;
            }
        }
    }
    close(rfd);
    if (reason[0])
        say("FERRY-VERIFY records=%llu status=bad reason=%s", (unsigned long long)n, reason);
    else
        say("FERRY-VERIFY records=%llu status=ok", (unsigned long long)n);

    if (strcmp(mode, "write") != 0) idle_until_term((long long)n);

    uint64_t boot = 0;
    if (getrandom(&boot, sizeof boot, GRND_NONBLOCK) != sizeof boot) {
        boot = now_ns() ^ ((uint64_t)getpid() << 32) ^ 0xA5A5A5A55A5A5A5AULL;
    }
    int wfd = open(disk, O_WRONLY | O_DIRECT | O_DSYNC);
    if (wfd < 0) {
        say("FERRY-ERROR op=open-write disk=%s errno=%d (%s)", disk, errno, strerror(errno));
        idle_until_term((long long)n);
    }
    uint64_t limit = max ? (max < slots ? max : slots) : slots;
    uint64_t start = now_ns(), written = 0;
    while (n < limit && !term_requested) {
        if (rate) {
            uint64_t due = start + written * 1000000000ULL / rate;
            uint64_t t = now_ns();
            if (due > t) {
                struct timespec ts = {(time_t)((due - t) / 1000000000ULL), (long)((due - t) % 1000000000ULL)};
                while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !term_requested) {}
                if (term_requested) break;
            }
        }
        make_record(buf, n, boot);
        ssize_t w = pwrite(wfd, buf, REC, (off_t)(n * REC));
        if (w != REC) {
            say("FERRY-ERROR op=write disk=%s slot=%llu errno=%d (%s)", disk, (unsigned long long)n, errno,
                strerror(errno));
            idle_until_term((long long)n);
        }
        n++;
        written++;
        if (n % 256 == 0) say("FERRY-PROGRESS seq=%llu", (unsigned long long)n);
    }
    close(wfd);
    say("FERRY-DONE records=%llu", (unsigned long long)n);
    idle_until_term((long long)n);
    return 0;
}
