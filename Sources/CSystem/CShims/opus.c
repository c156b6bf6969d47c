#include "CShims.h"

#include <opus/opus.h>

// opus_encoder_ctl is variadic (capture.md §3): one function per request keeps the argument types
// right. `encoder` is the caller's OpusEncoder *.

int mshim_opus_set_bitrate(void *encoder, int bitsPerSecond) {
    return opus_encoder_ctl((OpusEncoder *)encoder, OPUS_SET_BITRATE(bitsPerSecond));
}

int mshim_opus_set_vbr(void *encoder, int vbr) {
    return opus_encoder_ctl((OpusEncoder *)encoder, OPUS_SET_VBR(vbr));
}

int mshim_opus_set_bandwidth_fullband(void *encoder) {
    return opus_encoder_ctl((OpusEncoder *)encoder, OPUS_SET_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
}

int mshim_opus_set_complexity(void *encoder, int complexity) {
    return opus_encoder_ctl((OpusEncoder *)encoder, OPUS_SET_COMPLEXITY(complexity));
}

int mshim_opus_set_inband_fec(void *encoder, int enabled) {
    return opus_encoder_ctl((OpusEncoder *)encoder, OPUS_SET_INBAND_FEC(enabled));
}
