// Nothing to compile: CMalloc only exposes <malloc.h> to Swift (a C target needs one source file).
#include "CMalloc.h"
