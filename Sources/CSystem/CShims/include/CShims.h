#ifndef MARIONETTE_CSHIMS_H
#define MARIONETTE_CSHIMS_H

// Small C wrappers for what Swift cannot call: OpenSSL macros (DTLS_set_link_mtu, DTLSv1_get_timeout,
// DTLSv1_handle_timeout, SSL_CTX_set_min_proto_version), the variadic EVP_PKEY_Q_keygen, a datagram
// BIO that keeps each DTLS record flight's datagram boundaries (a memory BIO would concatenate them),
// libvpx's init macros and variadic controls (vpx.c), libopus's variadic opus_encoder_ctl (opus.c), and the variadic prctl and an explicit_bzero
// the optimiser cannot drop and GNU memmem, for the runner's handling of agent keys (agent_keys.c).

#include <stddef.h>
#include <stdint.h>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct bio_st BIO;
typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;

/// A self-signed ECDSA P-256 certificate valid from yesterday for `days`, CN `common_name`.
/// Returns 1 on success; the caller owns *pkey and *cert.
int mshim_generate_ecdsa_certificate(const char *common_name, int days, EVP_PKEY **pkey, X509 **cert);

/// SHA-256 of the DER certificate into out[32]. Returns 1 on success.
int mshim_certificate_sha256(X509 *cert, uint8_t out[32]);

/// A DTLS 1.2 context with the certificate, ECDHE-ECDSA AES-GCM suites, use_srtp profiles
/// `srtp_profiles` (OpenSSL names, colon-separated) and a peer-certificate requirement whose
/// chain check is left to the caller (WebRTC peers are self-signed; the SDP fingerprint is checked).
SSL_CTX *mshim_dtls_context_new(EVP_PKEY *pkey, X509 *cert, const char *srtp_profiles);

/// An SSL for one peer: reads from a memory BIO, writes to a datagram-queue BIO; MTU `mtu`.
/// `server` 1 = accept (passive), 0 = connect (active).
SSL *mshim_dtls_new(SSL_CTX *ctx, int server, long mtu);

/// Feeds one received datagram. Returns 1 on success.
int mshim_dtls_feed(SSL *ssl, const uint8_t *data, size_t length);

/// Pops the next datagram DTLS wants sent into buf (capacity cap). Returns its length, 0 when none,
/// -1 when buf is too small (the datagram stays queued).
long mshim_dtls_pop(SSL *ssl, uint8_t *buf, size_t cap);

/// Milliseconds until the DTLS retransmission timer fires, or -1 when no timer runs.
long mshim_dtls_timeout_ms(SSL *ssl);
/// Handles an expired retransmission timer (queues retransmissions). Returns OpenSSL's result.
int mshim_dtls_handle_timeout(SSL *ssl);

/// The negotiated use_srtp profile id (1 = AES128_CM_SHA1_80, 7 = AEAD_AES_128_GCM), 0 when none.
int mshim_dtls_srtp_profile(SSL *ssl);

/// SHA-256 of the peer's certificate into out[32]. Returns 1 when there is a peer certificate.
int mshim_dtls_peer_sha256(SSL *ssl, uint8_t out[32]);

/// The last OpenSSL error as text into buf (for error messages). Clears the error queue.
void mshim_last_error(char *buf, size_t cap);

// MARK: - libvpx (vpx.c)
// vpx_codec_enc_init/vpx_codec_dec_init are macros and vpx_codec_control is variadic. `ctx` is a
// vpx_codec_ctx_t *, `cfg` a const vpx_codec_enc_cfg_t * (void * here so that CShims does not pull
// libvpx's headers into every module that imports it). All return a vpx_codec_err_t (0 = OK).

/// vpx_codec_enc_init with the VP8 encoder interface and no flags.
int mshim_vpx_vp8_enc_init(void *ctx, const void *cfg);
/// vpx_codec_dec_init with the VP8 decoder interface, `threads` decoder threads and no flags.
int mshim_vpx_vp8_dec_init(void *ctx, unsigned int threads);
/// vpx_codec_enc_init with the VP9 encoder interface and no flags.
int mshim_vpx_vp9_enc_init(void *ctx, const void *cfg);
/// vpx_codec_dec_init with the VP9 decoder interface, `threads` decoder threads and no flags.
int mshim_vpx_vp9_dec_init(void *ctx, unsigned int threads);

/// VP8E_SET_CPUUSED (negative = fixed speed |value|).
int mshim_vp8e_set_cpuused(void *ctx, int value);
/// VP8E_SET_STATIC_THRESHOLD.
int mshim_vp8e_set_static_threshold(void *ctx, unsigned int value);
/// VP8E_SET_SCREEN_CONTENT_MODE (0 off, 1 on, 2 on with aggressive rate control).
int mshim_vp8e_set_screen_content_mode(void *ctx, unsigned int value);
/// VP8E_SET_MAX_INTRA_BITRATE_PCT (percent of the per-frame budget a key frame may take).
int mshim_vp8e_set_max_intra_bitrate_pct(void *ctx, unsigned int value);
/// VP8E_SET_TOKEN_PARTITIONS (0 = one partition).
int mshim_vp8e_set_token_partitions(void *ctx, int value);
/// VP8E_SET_NOISE_SENSITIVITY (0 = denoiser off).
int mshim_vp8e_set_noise_sensitivity(void *ctx, unsigned int value);
/// VP9E_SET_ROW_MT (1 = row-based multithreading).
int mshim_vp9e_set_row_mt(void *ctx, unsigned int value);
/// VP9E_SET_AQ_MODE (3 = cyclic refresh).
int mshim_vp9e_set_aq_mode(void *ctx, unsigned int value);
/// VP9E_SET_TUNE_CONTENT VP9E_CONTENT_SCREEN.
int mshim_vp9e_set_tune_content_screen(void *ctx);
/// VP9E_SET_NOISE_SENSITIVITY (0 = denoiser off).
int mshim_vp9e_set_noise_sensitivity(void *ctx, unsigned int value);

// MARK: - libopus (opus.c)
// opus_encoder_ctl is variadic. `encoder` is an OpusEncoder *. All return an OPUS_* code (0 = OK).

/// OPUS_SET_BITRATE.
int mshim_opus_set_bitrate(void *encoder, int bitsPerSecond);
/// OPUS_SET_VBR (0 = CBR).
int mshim_opus_set_vbr(void *encoder, int vbr);
/// OPUS_SET_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND).
int mshim_opus_set_bandwidth_fullband(void *encoder);
/// OPUS_SET_COMPLEXITY (0...10).
int mshim_opus_set_complexity(void *encoder, int complexity);
/// OPUS_SET_INBAND_FEC (0 off, 1 on).
int mshim_opus_set_inband_fec(void *encoder, int enabled);

/// prctl(PR_SET_DUMPABLE, dumpable): 0 keeps core dumps and same-user ptrace away from the process's
/// memory (it holds agent keys). Returns 0 on success, else -1 with errno set.
int mshim_set_dumpable(int dumpable);

/// prctl(PR_GET_DUMPABLE): 1 when dumpable, 0 when not, -1 on error.
int mshim_get_dumpable(void);

/// Zeroes `count` bytes at `pointer` in a way the compiler may not elide (explicit_bzero).
void mshim_secure_zero(void *pointer, size_t count);

/// The first occurrence of `needle` in `haystack` (GNU memmem), or NULL.
const void *mshim_memmem(const void *haystack, size_t haystack_count, const void *needle, size_t needle_count);

#endif
