#include "CShims.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

// MARK: - Certificate

int mshim_generate_ecdsa_certificate(const char *common_name, int days, EVP_PKEY **pkey_out, X509 **cert_out) {
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (pkey == NULL) return 0;
    X509 *cert = X509_new();
    if (cert == NULL) { EVP_PKEY_free(pkey); return 0; }
    int ok = X509_set_version(cert, 2);
    uint8_t serial_bytes[8];
    ok = ok && RAND_bytes(serial_bytes, sizeof serial_bytes) == 1;
    uint64_t serial = 0;
    for (size_t i = 0; i < sizeof serial_bytes; i++) serial = (serial << 8) | serial_bytes[i];
    ok = ok && ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial & 0x7fffffffffffffffULL);
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -86400) != NULL;
    ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400) != NULL;
    ok = ok && X509_set_pubkey(cert, pkey);
    X509_NAME *name = X509_get_subject_name(cert);
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0);
    ok = ok && X509_set_issuer_name(cert, name);
    ok = ok && X509_sign(cert, pkey, EVP_sha256()) > 0;
    if (!ok) { X509_free(cert); EVP_PKEY_free(pkey); return 0; }
    *pkey_out = pkey;
    *cert_out = cert;
    return 1;
}

int mshim_certificate_sha256(X509 *cert, uint8_t out[32]) {
    unsigned int length = 0;
    return X509_digest(cert, EVP_sha256(), out, &length) == 1 && length == 32;
}

// MARK: - Datagram queue BIO

// Each BIO_write from the DTLS layer is one datagram; keep them apart so each goes out as its own
// UDP packet no larger than the MTU.
typedef struct mshim_datagram {
    struct mshim_datagram *next;
    size_t length;
    uint8_t bytes[];
} mshim_datagram;

typedef struct {
    mshim_datagram *head;
    mshim_datagram *tail;
} mshim_queue;

static int queue_write(BIO *bio, const char *data, int length) {
    if (length < 0) return -1;
    mshim_queue *queue = BIO_get_data(bio);
    mshim_datagram *datagram = malloc(sizeof(mshim_datagram) + (size_t)length);
    if (queue == NULL || datagram == NULL) { free(datagram); return -1; }
    datagram->next = NULL;
    datagram->length = (size_t)length;
    memcpy(datagram->bytes, data, (size_t)length);
    if (queue->tail) queue->tail->next = datagram; else queue->head = datagram;
    queue->tail = datagram;
    return length;
}

static long queue_ctrl(BIO *bio, int cmd, long num, void *ptr) {
    (void)bio; (void)num; (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU: return 0;         // SSL_OP_NO_QUERY_MTU: the MTU is set explicitly
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 0;  // our MTU already means UDP payload bytes
    default: return 0;
    }
}

static int queue_create(BIO *bio) {
    mshim_queue *queue = calloc(1, sizeof(mshim_queue));
    if (queue == NULL) return 0;
    BIO_set_data(bio, queue);
    BIO_set_init(bio, 1);
    return 1;
}

static int queue_destroy(BIO *bio) {
    mshim_queue *queue = BIO_get_data(bio);
    if (queue == NULL) return 1;
    mshim_datagram *datagram = queue->head;
    while (datagram) { mshim_datagram *next = datagram->next; free(datagram); datagram = next; }
    free(queue);
    BIO_set_data(bio, NULL);
    return 1;
}

static BIO_METHOD *queue_bio_method = NULL;
static CRYPTO_ONCE queue_bio_once = CRYPTO_ONCE_STATIC_INIT;

static void queue_method_init(void) {
    // Built once; a BIO_METHOD is immutable after setup and shared by every SSL.
    BIO_METHOD *created = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "marionette-dgram-queue");
    if (created == NULL) return;
    BIO_meth_set_write(created, queue_write);
    BIO_meth_set_ctrl(created, queue_ctrl);
    BIO_meth_set_create(created, queue_create);
    BIO_meth_set_destroy(created, queue_destroy);
    queue_bio_method = created;
}

static BIO_METHOD *queue_method(void) {
    if (!CRYPTO_THREAD_run_once(&queue_bio_once, queue_method_init)) return NULL;
    return queue_bio_method;
}

// MARK: - DTLS

static int accept_any_certificate(int preverify, X509_STORE_CTX *ctx) {
    (void)preverify; (void)ctx;
    return 1;  // self-signed peers: the SDP fingerprint is compared after the handshake
}

SSL_CTX *mshim_dtls_context_new(EVP_PKEY *pkey, X509 *cert, const char *srtp_profiles) {
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    if (ctx == NULL) return NULL;
    int ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
    ok = ok && SSL_CTX_use_certificate(ctx, cert) == 1;
    ok = ok && SSL_CTX_use_PrivateKey(ctx, pkey) == 1;
    ok = ok && SSL_CTX_check_private_key(ctx) == 1;
    ok = ok && SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305") == 1;
    ok = ok && SSL_CTX_set1_groups_list(ctx, "P-256:X25519:P-384") == 1;
    // SSL_CTX_set_tlsext_use_srtp returns 0 on success.
    ok = ok && SSL_CTX_set_tlsext_use_srtp(ctx, srtp_profiles) == 0;
    if (!ok) { SSL_CTX_free(ctx); return NULL; }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
    SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return ctx;
}

SSL *mshim_dtls_new(SSL_CTX *ctx, int server, long mtu) {
    BIO_METHOD *method = queue_method();
    if (method == NULL) return NULL;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL) return NULL;
    BIO *rbio = BIO_new(BIO_s_mem());
    BIO *wbio = BIO_new(method);
    if (rbio == NULL || wbio == NULL) { BIO_free(rbio); BIO_free(wbio); SSL_free(ssl); return NULL; }
    BIO_set_mem_eof_return(rbio, -1);  // empty = "want read", not EOF
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(ssl, mtu);
    DTLS_set_link_mtu(ssl, mtu);
    if (server) SSL_set_accept_state(ssl); else SSL_set_connect_state(ssl);
    return ssl;
}

int mshim_dtls_feed(SSL *ssl, const uint8_t *data, size_t length) {
    if (length > 0x7fffffff) return 0;
    return BIO_write(SSL_get_rbio(ssl), data, (int)length) == (int)length;
}

long mshim_dtls_pop(SSL *ssl, uint8_t *buf, size_t cap) {
    mshim_queue *queue = BIO_get_data(SSL_get_wbio(ssl));
    if (queue == NULL || queue->head == NULL) return 0;
    mshim_datagram *datagram = queue->head;
    if (datagram->length > cap) return -1;
    memcpy(buf, datagram->bytes, datagram->length);
    long length = (long)datagram->length;
    queue->head = datagram->next;
    if (queue->head == NULL) queue->tail = NULL;
    free(datagram);
    return length;
}

long mshim_dtls_timeout_ms(SSL *ssl) {
    struct timeval tv;
    if (DTLSv1_get_timeout(ssl, &tv) != 1) return -1;
    return (long)tv.tv_sec * 1000 + (long)tv.tv_usec / 1000;
}

int mshim_dtls_handle_timeout(SSL *ssl) {
    return (int)DTLSv1_handle_timeout(ssl);
}

int mshim_dtls_srtp_profile(SSL *ssl) {
    SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile(ssl);
    return profile ? (int)profile->id : 0;
}

int mshim_dtls_peer_sha256(SSL *ssl, uint8_t out[32]) {
    X509 *peer = SSL_get1_peer_certificate(ssl);
    if (peer == NULL) return 0;
    int ok = mshim_certificate_sha256(peer, out);
    X509_free(peer);
    return ok;
}

void mshim_last_error(char *buf, size_t cap) {
    unsigned long code = ERR_get_error();
    if (cap == 0) return;
    if (code == 0) { buf[0] = 0; }
    else { ERR_error_string_n(code, buf, cap); }
    ERR_clear_error();
}
