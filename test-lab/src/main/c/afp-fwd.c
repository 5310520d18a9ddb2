/*
 * afp-fwd: the bare C AF_PACKET forwarder of the lab's forwarding benchmark (ForwardingCeilingBenchmark), the
 * ceiling of this machine for receive-and-send of raw Ethernet frames with no protocol work.
 *
 *   afp-fwd --a IF --a-filter FILTER --b IF --b-filter FILTER [--batch N] [--ring-mb MB]
 *
 * FILTER is "ether:0xHHHH" (EtherType, e.g. ether:0x8864 for PPPoE session frames) or "udp:PORT" (IPv4 UDP to a
 * destination port, first fragments only, e.g. udp:1701), the same frames as the Java bare forwarder's BPF filters
 * "ether proto 0x8864" and "udp dst port 1701" take (IPv4 only: the lab has no IPv6).
 *
 * Each side has one packet socket with a TPACKET_V2 receive ring mapped into this process (RX_RING, default 32 MiB
 * of 2 KiB frames, like lacd's pcap buffer), a classic BPF filter in the kernel, and PACKET_IGNORE_OUTGOING so that
 * it does not read back what this process sends. One thread polls both rings: the frames ready on A (up to --batch)
 * go out of B with one sendmmsg whose iovecs point into the ring (no copy in user space), then their ring slots go
 * back to the kernel; B to A likewise. Frames are sent unchanged, as RawTools forward does (it rewrites nothing:
 * the far side's nftables sink counts at ingress, before any MAC check). Sends bypass the qdisc
 * (PACKET_QDISC_BYPASS; veth has none anyway).
 *
 * Prints "forwarding A <-> B" when its rings are up; on SIGTERM or SIGINT it prints one JSON line with its counts and
 * exits 0. Built by the benchmark at run time: gcc -O2 -o afp-fwd afp-fwd.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_SIZE 2048u
#define BLOCK_SIZE (1u << 16)
#define MAX_BATCH 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void) sig; stop = 1; }

static void die(const char *what, const char *detail) {
    fprintf(stderr, "afp-fwd: %s%s%s: %s\n", what, detail ? " " : "", detail ? detail : "", strerror(errno));
    exit(1);
}

struct side {
    const char *ifname;
    int fd;
    uint8_t *ring;
    unsigned frames;
    unsigned head;          /* next ring slot to read */
    unsigned long long rx;  /* frames read from this side's ring */
    unsigned long long tx;  /* frames this side's socket sent (taken from the other side) */
    unsigned long long tx_errors;
};

/* Classic BPF for "ether:0xHHHH" or "udp:PORT" (IPv4, unfragmented or first fragment). */
static int build_filter(const char *spec, struct sock_filter *out) {
    if (strncmp(spec, "ether:", 6) == 0) {
        unsigned type = (unsigned) strtoul(spec + 6, NULL, 0);
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, type, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, 0x40000),
            BPF_STMT(BPF_RET | BPF_K, 0),
        };
        memcpy(out, f, sizeof f);
        return (int) (sizeof f / sizeof f[0]);
    }
    if (strncmp(spec, "udp:", 4) == 0) {
        unsigned port = (unsigned) strtoul(spec + 4, NULL, 0);
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),             /* 0: EtherType */
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8), /* 1: IPv4, else 10 */
            BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),             /* 2: IP protocol */
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 6),       /* 3: UDP, else 10 */
            BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),             /* 4: flags + fragment offset */
            BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),  /* 5: not a first fragment: 10 */
            BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),            /* 6: X = IP header length */
            BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),             /* 7: UDP destination port */
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),     /* 8: port, else 10 */
            BPF_STMT(BPF_RET | BPF_K, 0x40000),                 /* 9: take */
            BPF_STMT(BPF_RET | BPF_K, 0),                       /* 10: drop */
        };
        memcpy(out, f, sizeof f);
        return (int) (sizeof f / sizeof f[0]);
    }
    fprintf(stderr, "afp-fwd: filter %s: expected ether:0xHHHH or udp:PORT\n", spec);
    exit(2);
}

static void open_side(struct side *s, const char *filter, unsigned ring_mb) {
    /* protocol 0: nothing arrives before the filter and the ring are in place; bind() below starts reception */
    s->fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (s->fd < 0) die("socket", s->ifname);
    int ifindex = (int) if_nametoindex(s->ifname);
    if (ifindex == 0) die("no interface", s->ifname);

    struct sock_filter code[16];
    struct sock_fprog prog = {.len = (unsigned short) build_filter(filter, code), .filter = code};
    if (setsockopt(s->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) die("SO_ATTACH_FILTER", s->ifname);
    int one = 1;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0) die("PACKET_IGNORE_OUTGOING", s->ifname);
    if (setsockopt(s->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0) die("PACKET_QDISC_BYPASS", s->ifname);
    int v2 = TPACKET_V2;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof v2) < 0) die("PACKET_VERSION", s->ifname);
    int sndbuf = 4 << 20;
    setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

    struct tpacket_req req;
    req.tp_block_size = BLOCK_SIZE;
    req.tp_block_nr = (ring_mb << 20) / BLOCK_SIZE;
    req.tp_frame_size = FRAME_SIZE;
    req.tp_frame_nr = req.tp_block_nr * (BLOCK_SIZE / FRAME_SIZE);
    if (setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) die("PACKET_RX_RING", s->ifname);
    s->frames = req.tp_frame_nr;
    s->ring = mmap(NULL, (size_t) req.tp_block_nr * BLOCK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED | MAP_POPULATE,
                   s->fd, 0);
    if (s->ring == MAP_FAILED) {
        s->ring = mmap(NULL, (size_t) req.tp_block_nr * BLOCK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
        if (s->ring == MAP_FAILED) die("mmap", s->ifname);
    }

    struct packet_mreq mr = {.mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC};
    setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr); /* as the pcap ports do; not needed on veth */

    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex};
    if (bind(s->fd, (struct sockaddr *) &sll, sizeof sll) < 0) die("bind", s->ifname);
}

static inline struct tpacket2_hdr *slot(struct side *s, unsigned i) {
    /* FRAME_SIZE divides BLOCK_SIZE: frames are contiguous across blocks */
    return (struct tpacket2_hdr *) (s->ring + (size_t) i * FRAME_SIZE);
}

/* Moves up to batch ready frames from in's ring out of out's socket; returns how many were taken from the ring. */
static unsigned forward(struct side *in, struct side *out, unsigned batch) {
    static struct mmsghdr msgs[MAX_BATCH];
    static struct iovec iov[MAX_BATCH];
    unsigned n = 0;
    unsigned i = in->head;
    while (n < batch) {
        struct tpacket2_hdr *h = slot(in, i);
        if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
        iov[n].iov_base = (uint8_t *) h + h->tp_mac;
        iov[n].iov_len = h->tp_snaplen;
        memset(&msgs[n].msg_hdr, 0, sizeof msgs[n].msg_hdr);
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
        n++;
        i = (i + 1) % in->frames;
    }
    if (n == 0) return 0;
    unsigned done = 0;
    while (done < n) {
        int r = sendmmsg(out->fd, msgs + done, n - done, 0);
        if (r > 0) {
            done += (unsigned) r;
            out->tx += (unsigned) r;
        } else if (r < 0 && errno == EINTR && !stop) {
            continue;
        } else {
            /* the kernel refused this frame (e.g. ENOBUFS): counted, dropped, go on with the next */
            out->tx_errors++;
            done++;
        }
    }
    for (unsigned k = 0; k < n; k++) {
        __atomic_store_n(&slot(in, in->head)->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        in->head = (in->head + 1) % in->frames;
    }
    in->rx += n;
    return n;
}

int main(int argc, char **argv) {
    const char *a = NULL, *af = NULL, *b = NULL, *bf = NULL;
    unsigned batch = 64, ring_mb = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--a")) a = argv[i + 1];
        else if (!strcmp(argv[i], "--a-filter")) af = argv[i + 1];
        else if (!strcmp(argv[i], "--b")) b = argv[i + 1];
        else if (!strcmp(argv[i], "--b-filter")) bf = argv[i + 1];
        else if (!strcmp(argv[i], "--batch")) batch = (unsigned) atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--ring-mb")) ring_mb = (unsigned) atoi(argv[i + 1]);
        else {
            fprintf(stderr, "afp-fwd: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!a || !af || !b || !bf || batch < 1 || batch > MAX_BATCH || ring_mb < 1) {
        fprintf(stderr, "usage: afp-fwd --a IF --a-filter ether:0xHHHH|udp:PORT --b IF --b-filter F [--batch 1..%d] [--ring-mb MB]\n",
                MAX_BATCH);
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct side sa_ = {.ifname = a}, sb_ = {.ifname = b};
    open_side(&sa_, af, ring_mb);
    open_side(&sb_, bf, ring_mb);
    printf("forwarding %s <-> %s (TPACKET_V2 rings of %u frames, batch %u)\n", a, b, sa_.frames, batch);
    fflush(stdout);

    struct pollfd pfd[2] = {{.fd = sa_.fd, .events = POLLIN}, {.fd = sb_.fd, .events = POLLIN}};
    while (!stop) {
        unsigned moved = forward(&sa_, &sb_, batch) + forward(&sb_, &sa_, batch);
        if (moved == 0) {
            /* both rings empty: sleep in the kernel until a frame arrives (or 100 ms, to see a signal) */
            poll(pfd, 2, 100);
        }
    }

    struct tpacket_stats st_a = {0}, st_b = {0};
    socklen_t len = sizeof st_a;
    getsockopt(sa_.fd, SOL_PACKET, PACKET_STATISTICS, &st_a, &len);
    len = sizeof st_b;
    getsockopt(sb_.fd, SOL_PACKET, PACKET_STATISTICS, &st_b, &len);
    printf("{\"%s->%s\":%llu,\"%s->%s\":%llu,\"sendErrors\":%llu,\"ringDrops\":{\"%s\":%u,\"%s\":%u}}\n", a, b, sb_.tx, b, a,
           sa_.tx, sa_.tx_errors + sb_.tx_errors, a, st_a.tp_drops, b, st_b.tp_drops);
    fflush(stdout);
    return 0;
}
