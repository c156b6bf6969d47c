#include "CShims.h"

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

// The header takes void * so that CShims does not re-export libvpx's types (Swift sees them from
// CVPX); every pointer here is the caller's vpx_codec_ctx_t / vpx_codec_enc_cfg_t.

int mshim_vpx_vp8_enc_init(void *ctx, const void *cfg) {
    return (int)vpx_codec_enc_init((vpx_codec_ctx_t *)ctx, vpx_codec_vp8_cx(), (const vpx_codec_enc_cfg_t *)cfg, 0);
}

int mshim_vpx_vp9_enc_init(void *ctx, const void *cfg) {
    return (int)vpx_codec_enc_init((vpx_codec_ctx_t *)ctx, vpx_codec_vp9_cx(), (const vpx_codec_enc_cfg_t *)cfg, 0);
}

int mshim_vpx_vp9_dec_init(void *ctx, unsigned int threads) {
    vpx_codec_dec_cfg_t cfg = {.threads = threads, .w = 0, .h = 0};
    return (int)vpx_codec_dec_init((vpx_codec_ctx_t *)ctx, vpx_codec_vp9_dx(), &cfg, 0);
}

int mshim_vpx_vp8_dec_init(void *ctx, unsigned int threads) {
    vpx_codec_dec_cfg_t cfg = {.threads = threads, .w = 0, .h = 0};
    return (int)vpx_codec_dec_init((vpx_codec_ctx_t *)ctx, vpx_codec_vp8_dx(), &cfg, 0);
}

// vpx_codec_control is a type-checked macro over the variadic vpx_codec_control_: one function per
// control keeps the argument types right.

int mshim_vp8e_set_cpuused(void *ctx, int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP8E_SET_CPUUSED, value);
}

int mshim_vp8e_set_static_threshold(void *ctx, unsigned int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP8E_SET_STATIC_THRESHOLD, value);
}

int mshim_vp8e_set_screen_content_mode(void *ctx, unsigned int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP8E_SET_SCREEN_CONTENT_MODE, value);
}

int mshim_vp8e_set_max_intra_bitrate_pct(void *ctx, unsigned int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, value);
}

int mshim_vp8e_set_token_partitions(void *ctx, int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP8E_SET_TOKEN_PARTITIONS, value);
}

int mshim_vp8e_set_noise_sensitivity(void *ctx, unsigned int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP8E_SET_NOISE_SENSITIVITY, value);
}

int mshim_vp9e_set_row_mt(void *ctx, unsigned int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP9E_SET_ROW_MT, value);
}

int mshim_vp9e_set_aq_mode(void *ctx, unsigned int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP9E_SET_AQ_MODE, value);
}

int mshim_vp9e_set_tune_content_screen(void *ctx) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP9E_SET_TUNE_CONTENT, (int)VP9E_CONTENT_SCREEN);
}

int mshim_vp9e_set_noise_sensitivity(void *ctx, unsigned int value) {
    return (int)vpx_codec_control((vpx_codec_ctx_t *)ctx, VP9E_SET_NOISE_SENSITIVITY, value);
}
