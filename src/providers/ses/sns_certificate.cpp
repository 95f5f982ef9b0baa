#include "providers/ses/sns_certificate.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "providers/common/webhook_support.h"

namespace postern::providers::ses {

namespace {

WebhookRefusal invalid(std::string why) {
  return common::webhook_refusal("cert_invalid", "the signing certificate " + std::move(why));
}

std::time_t to_time_t(SystemTime t) { return std::chrono::system_clock::to_time_t(t); }

struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

}  // namespace

struct SnsCertificate::Impl {
  X509* cert = nullptr;
  ~Impl() { X509_free(cert); }
};

SnsCertificate::SnsCertificate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SnsCertificate::~SnsCertificate() = default;

Result<std::shared_ptr<const SnsCertificate>, WebhookRefusal> SnsCertificate::load(
    std::string_view pem, SystemTime now, bool check_chain) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return invalid("cannot be read");
  auto impl = std::make_unique<Impl>();
  impl->cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (!impl->cert) {
    ERR_clear_error();
    return invalid("is not a PEM X.509 certificate");
  }
  std::unique_ptr<STACK_OF(X509), StackFree> chain(sk_X509_new_null());
  while (X509* more = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (!chain || !sk_X509_push(chain.get(), more)) {
      X509_free(more);
      break;
    }
  }
  ERR_clear_error();  // the end of the PEM reads as an error
  std::shared_ptr<const SnsCertificate> out(new SnsCertificate(std::move(impl)));
  if (!out->valid_at(now)) return invalid("is not valid now (expired or not yet valid)");
  if (!check_chain) return out;

  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  if (!store || !ctx || X509_STORE_set_default_paths(store.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), out->impl_->cert, chain.get()) != 1)
    return invalid("cannot be checked (no trusted CAs)");
  X509_STORE_CTX_set_time(ctx.get(), 0, to_time_t(now));
  if (X509_verify_cert(ctx.get()) != 1) {
    auto why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return invalid(std::string("does not chain to a trusted CA: ") + why);
  }
  return out;
}

bool SnsCertificate::valid_at(SystemTime now) const {
  std::time_t t = to_time_t(now);
  return X509_cmp_time(X509_get0_notBefore(impl_->cert), &t) < 0 &&
         X509_cmp_time(X509_get0_notAfter(impl_->cert), &t) > 0;
}

bool SnsCertificate::verify(std::string_view text, std::string_view signature,
                            int signature_version) const {
  EVP_PKEY* key = X509_get0_pubkey(impl_->cert);
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const EVP_MD* md = signature_version == 1 ? EVP_sha1() : EVP_sha256();
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
                             text.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace postern::providers::ses
