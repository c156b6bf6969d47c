// System libsrtp2 (Debian libsrtp2-dev) for SRTP/SRTCP.
#include <srtp2/srtp.h>
