package org.lacd.l2tp;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/** JNA direct mapping of a class's {@code native} methods onto the C library, as the engine's socket helpers need it. */
final class LibC {
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
