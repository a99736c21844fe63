#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>

/* RSA_generate_key_ex(r, 512, ...) was the old way */
int make_key(void)
{
    RSA *r = RSA_new();
    BIGNUM *e = BN_new();
    BN_set_word(e, RSA_F4);
    int ok = RSA_generate_key_ex(r, 1024, e, NULL); /* expect: alg:RSA-1024 */
    RSA_free(r);
    BN_free(e);
    return ok;
}

int encrypt(unsigned char *key, unsigned char *iv)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = EVP_EncryptInit_ex(ctx, EVP_des_ede3_cbc(), NULL, key, iv); // expect: alg:3DES-CBC
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

int digest(const unsigned char *d, size_t n, unsigned char *out)
{
    return EVP_Digest(d, n, out, NULL, EVP_md5(), NULL); // expect: alg:MD5
}

EVP_PKEY *pq_key(void)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "ML-KEM-768", NULL); // expect: alg:ML-KEM-768
    EVP_PKEY_keygen_init(pctx);
    EVP_PKEY_generate(pctx, &pkey);
    EVP_PKEY_CTX_free(pctx);
    return pkey;
}

SSL_CTX *tls_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION); // expect: proto:tls-1.0
    return ctx;
}
