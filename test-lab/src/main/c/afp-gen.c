/*
 * afp-gen: the C traffic generator of the lab's forwarding benchmark (ForwardingCeilingBenchmark). It replays a
 * .frames file at a fixed offered rate through one AF_PACKET socket, with sendmmsg in batches.
 *
 *   afp-gen --interface IF --frames FILE --rate PPS --seconds S [--mark-every N] [--batch N]
 *
 * FILE is the benchmark's frames file (ForwardingCeilingBenchmark.writeFrames), one frame per line: "n HEX" a plain
 * frame, "m HEX" a marked one. As RawTools blast does, frames go out round robin, and every Nth frame (default 100) is
 * the next marked frame with its last 8 bytes overwritten by the send time, microseconds since the epoch
 * (CLOCK_REALTIME), big-endian: RawTools latency on the far side subtracts it from the kernel's receive timestamp.
 *
 * Pacing: frames due by now (rate x elapsed) go out in sendmmsg calls of at most --batch (default 64); when nothing is
 * due it sleeps until the next frame is (nanosleep with 1 ns timer slack; a busy wait for gaps under 20 us). Above
 * what it can send it never sleeps, and it then sends fewer than offered: that is why it reports what it achieved.
 * "sent" counts frames the kernel took; a frame the kernel refused (ENOBUFS, ...) counts in "errors" and is not sent
 * again. The last line is one JSON object, the same fields as RawTools blast:
 *   {"sent":N,"marked":M,"errors":E,"seconds":S,"pps":P}
 *
 * Built by the benchmark at run time: gcc -O2 -o afp-gen afp-gen.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024
#define MAX_FRAME 9216

struct frames {
    uint8_t **data;
    unsigned *len;
    unsigned n;
    unsigned cap;
};

static void add(struct frames *f, uint8_t *data, unsigned len) {
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->data = realloc(f->data, f->cap * sizeof *f->data);
        f->len = realloc(f->len, f->cap * sizeof *f->len);
        if (!f->data || !f->len) {
            fprintf(stderr, "afp-gen: out of memory\n");
            exit(1);
        }
    }
    f->data[f->n] = data;
    f->len[f->n] = len;
    f->n++;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void read_frames(const char *path, struct frames *plain, struct frames *marked) {
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "afp-gen: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    static char line[2 * MAX_FRAME + 16];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, in)) {
        lineno++;
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' ')) line[--l] = 0;
        if (l <= 2) continue;
        if ((line[0] != 'n' && line[0] != 'm') || line[1] != ' ' || (l - 2) % 2 != 0 || (l - 2) / 2 < 14) {
            fprintf(stderr, "afp-gen: %s line %u: expected \"n HEX\" or \"m HEX\" with a whole frame\n", path, lineno);
            exit(1);
        }
        unsigned len = (unsigned) (l - 2) / 2;
        uint8_t *d = malloc(len);
        for (unsigned i = 0; i < len; i++) {
            int hi = hexval(line[2 + 2 * i]), lo = hexval(line[3 + 2 * i]);
            if (hi < 0 || lo < 0) {
                fprintf(stderr, "afp-gen: %s line %u: not hex at %u\n", path, lineno, 2 + 2 * i);
                exit(1);
            }
            d[i] = (uint8_t) (hi << 4 | lo);
        }
        add(line[0] == 'm' ? marked : plain, d, len);
    }
    fclose(in);
    if (plain->n == 0 || marked->n == 0) {
        fprintf(stderr, "afp-gen: %s: needs plain (n) and marked (m) frames\n", path);
        exit(1);
    }
}

static inline uint64_t now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (uint64_t) t.tv_sec * 1000000000ull + (uint64_t) t.tv_nsec;
}

int main(int argc, char **argv) {
    const char *ifname = NULL, *file = NULL;
    double rate = 0, seconds = 0;
    unsigned mark_every = 100, batch = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--interface")) ifname = argv[i + 1];
        else if (!strcmp(argv[i], "--frames")) file = argv[i + 1];
        else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--mark-every")) mark_every = (unsigned) atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch")) batch = (unsigned) atoi(argv[i + 1]);
        else {
            fprintf(stderr, "afp-gen: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!ifname || !file || rate <= 0 || seconds <= 0 || batch < 1 || batch > MAX_BATCH) {
        fprintf(stderr, "usage: afp-gen --interface IF --frames FILE --rate PPS --seconds S [--mark-every N] [--batch 1..%d]\n",
                MAX_BATCH);
        return 2;
    }
    struct frames plain = {0}, marked = {0};
    read_frames(file, &plain, &marked);

    /* protocol 0: a send-only socket, nothing is queued to it for reading */
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) {
        perror("afp-gen: socket");
        return 1;
    }
    int ifindex = (int) if_nametoindex(ifname);
    if (ifindex == 0) {
        fprintf(stderr, "afp-gen: no interface %s\n", ifname);
        return 1;
    }
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = 0, .sll_ifindex = ifindex};
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        perror("afp-gen: bind");
        return 1;
    }
    int one = 1;
    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    prctl(PR_SET_TIMERSLACK, 1UL);

    static struct mmsghdr msgs[MAX_BATCH];
    static struct iovec iov[MAX_BATCH];
    /* a marked frame is stamped in its own buffer per batch slot, so a batch may hold several */
    static uint8_t stamp[MAX_BATCH][MAX_FRAME];

    unsigned long long sent = 0, marked_sent = 0, errors = 0, offered = 0;
    unsigned p = 0, m = 0;
    uint64_t duration = (uint64_t) (seconds * 1e9);
    uint64_t start = now_ns(CLOCK_MONOTONIC), elapsed;
    while ((elapsed = now_ns(CLOCK_MONOTONIC) - start) < duration) {
        unsigned long long due = (unsigned long long) (rate * (double) elapsed / 1e9);
        if (offered >= due) {
            /* the next frame is due at (offered + 1) / rate */
            uint64_t next = (uint64_t) ((double) (offered + 1) * 1e9 / rate);
            uint64_t wait = next > elapsed ? next - elapsed : 0;
            if (wait > 20000) {
                struct timespec ts = {.tv_sec = (time_t) (wait / 1000000000ull), .tv_nsec = (long) (wait % 1000000000ull)};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        unsigned n = (unsigned) (due - offered < batch ? due - offered : batch);
        for (unsigned k = 0; k < n; k++) {
            unsigned long long seq = offered + k + 1;
            if (mark_every > 0 && seq % mark_every == 0) {
                unsigned i = m++ % marked.n;
                unsigned len = marked.len[i];
                memcpy(stamp[k], marked.data[i], len);
                uint64_t us = now_ns(CLOCK_REALTIME) / 1000;
                for (int b = 0; b < 8; b++) stamp[k][len - 1 - b] = (uint8_t) (us >> (8 * b));
                iov[k].iov_base = stamp[k];
                iov[k].iov_len = len;
            } else {
                unsigned i = p++ % plain.n;
                iov[k].iov_base = plain.data[i];
                iov[k].iov_len = plain.len[i];
            }
            memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
        }
        unsigned done = 0;
        while (done < n) {
            int r = sendmmsg(fd, msgs + done, n - done, 0);
            if (r > 0) {
                for (int k = 0; k < r; k++) {
                    if (iov[done + k].iov_base == stamp[done + k]) marked_sent++;
                }
                done += (unsigned) r;
                sent += (unsigned) r;
            } else if (r < 0 && errno == EINTR) {
                continue;
            } else {
                errors++;
                done++;
            }
        }
        offered += n;
    }
    double took = (double) (now_ns(CLOCK_MONOTONIC) - start) / 1e9;
    close(fd);
    printf("{\"sent\":%llu,\"marked\":%llu,\"errors\":%llu,\"seconds\":%.3f,\"pps\":%.0f}\n", sent, marked_sent, errors, took,
           (double) sent / took);
    return 0;
}
