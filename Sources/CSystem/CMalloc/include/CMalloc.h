#ifndef MARIONETTE_CMALLOC_H
#define MARIONETTE_CMALLOC_H

// glibc's malloc.h (mallopt and its M_* parameters), which the Glibc module does not export.
#include <malloc.h>

#endif
