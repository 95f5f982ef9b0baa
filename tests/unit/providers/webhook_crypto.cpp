#include "webhook_crypto.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "core/base64.h"

namespace postern::test {

struct TestKey::Impl {
  EVP_PKEY* key = nullptr;
  ~Impl() { EVP_PKEY_free(key); }
};

TestKey::TestKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestKey::~TestKey() = default;
TestKey::TestKey(TestKey&&) noexcept = default;
TestKey& TestKey::operator=(TestKey&&) noexcept = default;

TestKey TestKey::ec(const char* curve) {
  auto impl = std::make_unique<Impl>();
  impl->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  if (!impl->key) throw std::runtime_error("EC key generation failed");
  return TestKey(std::move(impl));
}

TestKey TestKey::rsa() {
  auto impl = std::make_unique<Impl>();
  impl->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  if (!impl->key) throw std::runtime_error("RSA key generation failed");
  return TestKey(std::move(impl));
}

std::string TestKey::public_der_base64() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(impl_->key, &der);
  if (len <= 0) throw std::runtime_error("i2d_PUBKEY failed");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return base64_encode(out);
}

std::string TestKey::sign(std::string_view data, const char* digest) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t len = 0;
  std::string out;
  if (EVP_DigestSignInit_ex(ctx, nullptr, digest, nullptr, nullptr, impl_->key, nullptr) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) == 1) {
    out.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
      out.clear();
    out.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (out.empty()) throw std::runtime_error("signing failed");
  return out;
}

std::string TestKey::self_signed_pem(SystemTime not_before, SystemTime not_after) const {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  std::time_t from = std::chrono::system_clock::to_time_t(not_before);
  std::time_t to = std::chrono::system_clock::to_time_t(not_after);
  X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &from);
  X509_time_adj_ex(X509_getm_notAfter(cert), 0, 0, &to);
  X509_set_pubkey(cert, impl_->key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sns.test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, impl_->key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  X509_free(cert);
  return out;
}

}  // namespace postern::test
