#include "sim/webhooks/webhook_keys.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/base64.h"
#include "core/hex.h"
#include "core/sha256.h"

namespace postern::sim {

namespace {

std::string sign(EVP_PKEY* key, const EVP_MD* digest, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    return "";
  std::string out(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return "";
  out.resize(size);
  return base64_encode(out);
}

// A self-signed certificate for `key`, valid from an hour ago for a year:
// Postern checks the signature with its public key, not a chain (the host
// rule of SigningCertURL is the trust anchor).
std::string self_signed_pem(EVP_PKEY* key) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!cert) return "";
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  auto* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sns.sim.postern.invalid"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) return "";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return "";
  char* data = nullptr;
  auto size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

void PkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

Result<EcSigningKey, Problem> EcSigningKey::generate() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Problem{"cannot generate an ECDSA P-256 key"};
  return EcSigningKey(std::move(key));
}

Result<EcSigningKey, Problem> EcSigningKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return Problem{"not a PEM private key"};
  if (!EVP_PKEY_is_a(key.get(), "EC")) return Problem{"not an EC key (SendGrid signs with P-256)"};
  char curve[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key.get(), "group", curve, sizeof curve, &length) != 1 ||
      (std::string_view(curve) != "prime256v1" && std::string_view(curve) != "P-256"))
    return Problem{"the key is not on the P-256 curve"};
  return EcSigningKey(std::move(key));
}

std::string EcSigningKey::sign_base64(std::string_view data) const {
  return sign(key_.get(), EVP_sha256(), data);
}

std::string EcSigningKey::public_key_base64() const {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key_.get(), &der);
  if (size <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return base64_encode(out);
}

Result<SnsSigningKey, Problem> SnsSigningKey::generate() {
  PkeyPtr key(EVP_RSA_gen(2048));
  if (!key) return Problem{"cannot generate an RSA key"};
  auto pem = self_signed_pem(key.get());
  if (pem.empty()) return Problem{"cannot make the SNS certificate"};
  return SnsSigningKey(std::move(key), std::move(pem));
}

std::string SnsSigningKey::sign_base64(std::string_view data, int signature_version) const {
  return sign(key_.get(), signature_version == 2 ? EVP_sha256() : EVP_sha1(), data);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  return to_hex(hmac_sha256(key, data));
}

}  // namespace postern::sim
