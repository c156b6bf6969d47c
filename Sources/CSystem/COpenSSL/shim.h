// System OpenSSL 3 (Debian libssl-dev) for the SFU's DTLS. swift-nio-ssl's BoringSSL copy has
// prefixed symbols, so both link into one binary.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/bio.h>
