#include "runtime/node_credential.hpp"

#include <fstream>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace draft {

namespace {

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using store_ptr = std::unique_ptr<X509_STORE, openssl_deleter<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr
  = std::unique_ptr<X509_STORE_CTX, openssl_deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;

result<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return problem{path, "cannot read"};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

x509_ptr parse_certificate(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return x509_ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)
                      : nullptr);
}

std::string common_name(X509* cert) {
  char name[256] = {0};
  auto n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
                                     name, sizeof name);
  return n > 0 ? std::string(name, static_cast<std::size_t>(n)) : std::string();
}

} // namespace

struct node_credential::impl {
  pkey_ptr key;
  x509_ptr ca;
};

node_credential::~node_credential() = default;

result<std::shared_ptr<const node_credential>>
node_credential::load(const std::string& certificate, const std::string& key,
                      const std::string& ca) {
  auto cert_text = read_file(certificate);
  if (!cert_text)
    return cert_text.error();
  auto key_text = read_file(key);
  if (!key_text)
    return key_text.error();
  auto ca_text = read_file(ca);
  if (!ca_text)
    return ca_text.error();
  std::shared_ptr<node_credential> out(new node_credential);
  out->impl_ = std::make_unique<impl>();
  bio_ptr key_bio(BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size())));
  out->impl_->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!out->impl_->key)
    return problem{key, "not a PEM private key"};
  out->impl_->ca = parse_certificate(*ca_text);
  if (!out->impl_->ca)
    return problem{ca, "not a PEM certificate"};
  auto mine = parse_certificate(*cert_text);
  if (!mine)
    return problem{certificate, "not a PEM certificate"};
  if (X509_check_private_key(mine.get(), out->impl_->key.get()) != 1)
    return problem{key, "does not belong to the certificate " + certificate};
  out->certificate_pem_ = *cert_text;
  out->name_ = common_name(mine.get());
  return std::shared_ptr<const node_credential>(std::move(out));
}

std::string node_credential::sign(std::string_view message) const {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx
      || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                            impl_->key.get())
           != 1
      || EVP_DigestSign(ctx.get(), nullptr, &length,
                        reinterpret_cast<const unsigned char*>(message.data()),
                        message.size())
           != 1)
    return {};
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
                     &length, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size())
      != 1)
    return {};
  signature.resize(length);
  return signature;
}

result<bool> node_credential::verify(const std::string& certificate_pem,
                                     const std::string& node_id,
                                     std::string_view message,
                                     const std::string& signature) const {
  if (certificate_pem.size() > 16 * 1024 || signature.size() > 1024)
    return problem{"hello", "certificate or signature too large"};
  auto cert = parse_certificate(certificate_pem);
  if (!cert)
    return problem{"hello", "the peer sent no PEM certificate"};
  store_ptr store(X509_STORE_new());
  store_ctx_ptr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), impl_->ca.get()) != 1
      || X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1)
    return problem{"hello", "cannot set up certificate verification"};
  if (X509_verify_cert(ctx.get()) != 1)
    return problem{"hello",
                   std::string("the peer's certificate is not from the cluster "
                               "CA: ")
                     + X509_verify_cert_error_string(
                       X509_STORE_CTX_get_error(ctx.get()))};
  auto name = common_name(cert.get());
  if (name != node_id)
    return problem{"hello", "the peer claims node " + node_id
                              + " but its certificate names '" + name + "'"};
  md_ctx_ptr md(EVP_MD_CTX_new());
  auto* key = X509_get0_pubkey(cert.get());
  if (!md || !key
      || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1
      || EVP_DigestVerify(md.get(),
                          reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size())
           != 1)
    return problem{"hello", "the signature does not verify with the "
                            "certificate of node " + node_id};
  return true;
}

std::string random_hex(std::size_t n) {
  std::string bytes(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n));
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

} // namespace draft
