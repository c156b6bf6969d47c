#define _GNU_SOURCE
#include "CShims.h"

#include <string.h>
#include <sys/prctl.h>

int mshim_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}

int mshim_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

void mshim_secure_zero(void *pointer, size_t count) {
    if (pointer != NULL && count > 0) explicit_bzero(pointer, count);
}

const void *mshim_memmem(const void *haystack, size_t haystack_count, const void *needle, size_t needle_count) {
    return memmem(haystack, haystack_count, needle, needle_count);
}
