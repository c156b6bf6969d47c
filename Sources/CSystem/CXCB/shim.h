// System XCB (Debian libxcb*-dev) for desktop capture: the core protocol, MIT-SHM, DAMAGE, XFIXES,
// RandR, XTEST and xcb-keysyms.
#ifndef MARIONETTE_CXCB_SHIM_H
#define MARIONETTE_CXCB_SHIM_H

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xcb/xcb.h>
#include <xcb/damage.h>
#include <xcb/randr.h>
#include <xcb/shm.h>
#include <xcb/xcb_keysyms.h>
#include <xcb/xfixes.h>
#include <xcb/xtest.h>

// The extension ids are mutable C globals, which Swift 6 refuses to touch; these return their
// addresses for xcb_get_extension_data.
static inline xcb_extension_t *mxcb_shm_extension(void) { return &xcb_shm_id; }
static inline xcb_extension_t *mxcb_damage_extension(void) { return &xcb_damage_id; }
static inline xcb_extension_t *mxcb_xfixes_extension(void) { return &xcb_xfixes_id; }
static inline xcb_extension_t *mxcb_randr_extension(void) { return &xcb_randr_id; }
static inline xcb_extension_t *mxcb_test_extension(void) { return &xcb_test_id; }

// memfd_create through syscall(2): glibc declares memfd_create only under _GNU_SOURCE, and Swift
// cannot call the variadic syscall() itself. Returns the fd or -1 (errno set).
static inline int mxcb_memfd_create(const char *name, unsigned int flags) {
#ifdef SYS_memfd_create
    return (int)syscall(SYS_memfd_create, name, flags);
#else
    (void)name; (void)flags;
    return -1;
#endif
}

#endif
