// System libyuv (Debian libyuv-dev, no pkg-config file) for BGRX -> I420 conversion and the
// row hashes of desktop capture's change detection (HashDjb2).
#include <libyuv.h>
