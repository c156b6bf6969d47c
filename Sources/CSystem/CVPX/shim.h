// System libvpx (Debian libvpx-dev) for VP8 encoding (Capture) and decoding (tests).
// Macro-only and variadic entry points (vpx_codec_enc_init, vpx_codec_control) are in CShims.
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>
