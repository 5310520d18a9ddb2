package org.lacd.l2tp;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * JNA direct mapping of a class's {@code native} methods onto the C library, as the engine's socket helpers need it, and
 * the struct layouts and constants that {@link DatagramBatch} and {@link DatagramReader} share (LP64 Linux).
 */
final class LibC {
    /** struct mmsghdr on LP64 Linux: struct msghdr (56 bytes) then unsigned int msg_len, padded to 64. */
    static final int MMSGHDR = 64;
    /** Offsets in struct msghdr (msg_name is at 0): msg_namelen, msg_iov, msg_iovlen, msg_control, msg_controllen. */
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    /** struct iovec: iov_base, iov_len. */
    static final int IOVEC = 16;
    /** Room for a struct sockaddr_in6 (28 bytes); a sockaddr_in (16) fits. */
    static final int NAME = 32;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /**
     * One control message (cmsghdr: len 8, level 4, type 4) with a u16 (UDP_SEGMENT's gso_size) or an int (UDP_GRO's
     * segment length): CMSG_SPACE(2) = CMSG_SPACE(4) = 24.
     */
    static final int CMSG = 24;
    static final int SOL_UDP = 17;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private LibC() {}

    /**
     * Binds {@code c}'s native methods to libc on 64-bit Linux.
     *
     * @return null when bound, else why not (another platform, or the binding failed)
     */
    static String register(Class<?> c) {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
            return "not 64-bit Linux";
        }
        try {
            Native.register(c, Platform.C_LIBRARY_NAME);
            return null;
        } catch (LinkageError | RuntimeException e) {
            return e.toString();
        }
    }
}
