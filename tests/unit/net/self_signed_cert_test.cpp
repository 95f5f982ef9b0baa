#include "net/self_signed_cert.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace postern::net {
namespace {

using namespace std::chrono_literals;

struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Cert = std::unique_ptr<X509, CertFree>;

Cert parse(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Verifies `cert` against itself as the only trusted certificate, as a
// client that pinned it does (strict checks, host or IP as given).
int verify_pinned(X509* cert, const std::string& host, bool is_ip) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), cert);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  X509_verify_cert(ctx.get());
  return X509_STORE_CTX_get_error(ctx.get());
}

const auto kNow = std::chrono::system_clock::now();

TEST(SelfSignedCert, NamesEveryHostAndAddressAndVerifiesWhenPinned) {
  auto pem = make_self_signed({"localhost", "127.0.0.1", "::1", "mail.example.test"}, kNow - 1h,
                              kNow + 24h);
  ASSERT_TRUE(pem) << pem.error().message;
  auto cert = parse(pem->cert);
  ASSERT_TRUE(cert);
  EXPECT_EQ(verify_pinned(cert.get(), "localhost", false), X509_V_OK);
  EXPECT_EQ(verify_pinned(cert.get(), "mail.example.test", false), X509_V_OK);
  EXPECT_EQ(verify_pinned(cert.get(), "127.0.0.1", true), X509_V_OK);
  EXPECT_EQ(verify_pinned(cert.get(), "::1", true), X509_V_OK);
  EXPECT_EQ(verify_pinned(cert.get(), "other.example.test", false), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify_pinned(cert.get(), "10.0.0.1", true), X509_V_ERR_IP_ADDRESS_MISMATCH);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "localhost");
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
}

TEST(SelfSignedCert, InspectGivesTheValidityAndTheSha256Fingerprint) {
  auto pem = make_self_signed({"localhost"}, kNow - 1h, kNow + 48h);
  ASSERT_TRUE(pem);
  auto facts = inspect_certificate(*pem);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_LE(std::chrono::abs(facts->not_before - (kNow - 1h)), 1s);
  EXPECT_LE(std::chrono::abs(facts->not_after - (kNow + 48h)), 1s);
  // What `openssl x509 -fingerprint -sha256` prints: 32 hex pairs.
  auto cert = parse(pem->cert);
  unsigned char digest[32];
  unsigned int size = 0;
  X509_digest(cert.get(), EVP_sha256(), digest, &size);
  char first[4];
  std::snprintf(first, sizeof first, "%02X:", digest[0]);
  EXPECT_EQ(facts->sha256_fingerprint.size(), 32u * 3 - 1);
  EXPECT_EQ(facts->sha256_fingerprint.substr(0, 3), first);
  // A new certificate is a new key and a new fingerprint.
  auto other = make_self_signed({"localhost"}, kNow - 1h, kNow + 48h);
  ASSERT_TRUE(other);
  EXPECT_NE(inspect_certificate(*other)->sha256_fingerprint, facts->sha256_fingerprint);
}

TEST(SelfSignedCert, InspectRefusesAKeyOfAnotherCertificateAndGarbage) {
  auto a = make_self_signed({"localhost"}, kNow, kNow + 1h);
  auto b = make_self_signed({"localhost"}, kNow, kNow + 1h);
  ASSERT_TRUE(a && b);
  auto mixed = inspect_certificate({a->cert, b->key});
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().message.find("does not belong"), std::string::npos);
  EXPECT_FALSE(inspect_certificate({"not a certificate", a->key}));
  EXPECT_FALSE(inspect_certificate({a->cert, ""}));
  EXPECT_FALSE(inspect_certificate({a->cert.substr(0, a->cert.size() / 2), a->key}));
}

TEST(SelfSignedCert, NamesThatAreNeitherHostNorAddressAreSkipped) {
  // A host name can be almost anything; it must not reach the extension as
  // syntax ("a,IP:1.2.3.4" would add an address in OpenSSL's config syntax).
  auto pem = make_self_signed({"bad name", "a,IP:10.9.8.7", "", "ok.test"}, kNow, kNow + 1h);
  ASSERT_TRUE(pem) << pem.error().message;
  auto cert = parse(pem->cert);
  EXPECT_EQ(verify_pinned(cert.get(), "ok.test", false), X509_V_OK);
  EXPECT_EQ(verify_pinned(cert.get(), "10.9.8.7", true), X509_V_ERR_IP_ADDRESS_MISMATCH);
  auto none = make_self_signed({"bad name", "under_score"}, kNow, kNow + 1h);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no DNS name"), std::string::npos);
}

}  // namespace
}  // namespace postern::net
