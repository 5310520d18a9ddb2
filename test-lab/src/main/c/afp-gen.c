/*
 * afp-gen: the C traffic generator of the lab's forwarding benchmark (ForwardingCeilingBenchmark). It replays a
 * .frames file at a fixed offered rate through one AF_PACKET socket, with sendmmsg in batches or (--tx-ring 1)
 * through a PACKET_TX_RING.
 *
 *   afp-gen --interface IF --frames FILE --rate PPS --seconds S [--mark-every N] [--batch N] [--tx-ring 0|1]
 *
 * --tx-ring 1: frames are written into a 4096-frame TX ring (TPACKET_V2), each after a struct virtio_net_hdr whose
 * hdr_len is the whole frame (PACKET_VNET_HDR: the kernel copies the frame into the packet instead of hanging the ring
 * page on it, which veth would copy again into new pages), and each batch leaves with one send(fd, NULL, 0). It costs
 * the sending CPU less than half of sendmmsg per frame on veth, so it can offer more than the forwarders take. A frame
 * whose ring frame the kernel still holds waits (busy) until it is free. At the end the generator waits until the
 * kernel has taken every requested frame; "sent" counts them.
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
 *   {"sent":N,"marked":M,"errors":E,"seconds":S,"pps":P,"cpuSeconds":C}
 * where C is the generator's own CPU time (user + system, getrusage) over the run: on veth it includes the receiving
 * side's kernel work, which runs in the sender's system call.
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024
#define RING_FRAMES 4096
#define VNET_HDR 10
#define TX_DATA 32 /* TPACKET2_HDRLEN - sizeof(struct sockaddr_ll) */
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
    int tx_ring = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--interface")) ifname = argv[i + 1];
        else if (!strcmp(argv[i], "--frames")) file = argv[i + 1];
        else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--mark-every")) mark_every = (unsigned) atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch")) batch = (unsigned) atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--tx-ring")) tx_ring = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "afp-gen: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!ifname || !file || rate <= 0 || seconds <= 0 || batch < 1 || batch > MAX_BATCH) {
        fprintf(stderr, "usage: afp-gen --interface IF --frames FILE --rate PPS --seconds S [--mark-every N] [--batch 1..%d] [--tx-ring 0|1]\n",
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

    uint8_t *ring = NULL;
    unsigned frame_size = 0, ring_next = 0, vnet = 0;
    size_t ring_bytes = 0;
    if (tx_ring) {
        unsigned longest = 0;
        for (unsigned i = 0; i < plain.n; i++) if (plain.len[i] > longest) longest = plain.len[i];
        for (unsigned i = 0; i < marked.n; i++) if (marked.len[i] > longest) longest = marked.len[i];
        frame_size = 64;
        while (frame_size < TX_DATA + VNET_HDR + longest) frame_size <<= 1;
        int v2 = TPACKET_V2;
        vnet = setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) == 0;
        unsigned block = frame_size > 65536 ? frame_size : 65536;
        ring_bytes = (size_t) RING_FRAMES * frame_size;
        struct tpacket_req req = {.tp_block_size = block, .tp_block_nr = (unsigned) (ring_bytes / block),
                                  .tp_frame_size = frame_size, .tp_frame_nr = RING_FRAMES};
        if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof v2) < 0
                || setsockopt(fd, SOL_PACKET, PACKET_LOSS, &one, sizeof one) < 0
                || setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) < 0) {
            perror("afp-gen: TX ring");
            return 1;
        }
        ring = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (ring == MAP_FAILED) {
            perror("afp-gen: mmap");
            return 1;
        }
    }

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
        if (tx_ring) {
            for (unsigned k = 0; k < n; k++) {
                unsigned long long seq = offered + k + 1;
                int is_marked = mark_every > 0 && seq % mark_every == 0;
                unsigned i = is_marked ? m++ % marked.n : p++ % plain.n;
                const uint8_t *src = is_marked ? marked.data[i] : plain.data[i];
                unsigned len = is_marked ? marked.len[i] : plain.len[i];
                uint8_t *slot = ring + (size_t) ring_next * frame_size;
                struct tpacket2_hdr *h = (struct tpacket2_hdr *) slot;
                while (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) {
                    send(fd, NULL, 0, MSG_DONTWAIT); /* the whole ring is the kernel's: let it go on */
                }
                uint8_t *data = slot + TX_DATA;
                if (vnet) {
                    memset(data, 0, VNET_HDR);
                    uint16_t hl = (uint16_t) len; /* virtio_net_hdr.hdr_len, legacy virtio: native order */
                    memcpy(data + 2, &hl, 2);
                    data += VNET_HDR;
                }
                memcpy(data, src, len);
                if (is_marked) {
                    uint64_t us = now_ns(CLOCK_REALTIME) / 1000;
                    for (int b = 0; b < 8; b++) data[len - 1 - b] = (uint8_t) (us >> (8 * b));
                    marked_sent++;
                }
                h->tp_len = len + (vnet ? VNET_HDR : 0);
                __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
                ring_next = ring_next + 1 == RING_FRAMES ? 0 : ring_next + 1;
            }
            while (send(fd, NULL, 0, MSG_DONTWAIT) < 0 && errno == EINTR) {
            }
            sent += n;
            offered += n;
            continue;
        }
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
    if (tx_ring) { /* every requested frame taken by the kernel before the clock stops */
        for (unsigned k = 0; k < RING_FRAMES; k++) {
            struct tpacket2_hdr *h = (struct tpacket2_hdr *) (ring + (size_t) k * frame_size);
            while (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) == TP_STATUS_SEND_REQUEST) {
                send(fd, NULL, 0, MSG_DONTWAIT);
            }
        }
    }
    double took = (double) (now_ns(CLOCK_MONOTONIC) - start) / 1e9;
    if (ring) munmap(ring, ring_bytes);
    close(fd);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("{\"sent\":%llu,\"marked\":%llu,\"errors\":%llu,\"seconds\":%.3f,\"pps\":%.0f,\"cpuSeconds\":%.3f}\n", sent,
           marked_sent, errors, took, (double) sent / took, cpu);
    return 0;
}
