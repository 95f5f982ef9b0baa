// The reloadable server certificate (src/net/server_certificate.h): what a
// reload on SIGHUP does with good and bad files.
#include "net/server_certificate.h"

#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>
#include <fstream>

#include "support/temp_dir.h"
#include "support/test_pki.h"

namespace postern::net {
namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

class ServerCertificateTest : public ::testing::Test {
 protected:
  ServerCertificateTest() { install(test::make_test_pki({"localhost"})); }
  void install(const test::TestPki& pki) {
    write(options_.tls.cert, pki.server_cert_pem);
    write(options_.tls.key, pki.server_key_pem);
    write(ca_, pki.ca_cert_pem);
  }
  test::TempDir dir_;
  std::string ca_ = dir_.file("ca.pem");
  ServerCertificateOptions options_{{dir_.file("cert.pem"), dir_.file("key.pem"), false}, ""};
};

TEST_F(ServerCertificateTest, ReloadServesTheNewFilesAndKeepsTheOldContextAlive) {
  auto certificate = ServerCertificate::load(options_);
  ASSERT_TRUE(certificate) << certificate.error().message;
  auto before = (*certificate)->current();
  install(test::make_test_pki({"localhost"}));
  ASSERT_TRUE((*certificate)->reload());
  auto after = (*certificate)->current();
  EXPECT_NE(before, after);
  // A connection that began before holds the old context: still whole.
  EXPECT_NE(SSL_CTX_get0_certificate(before->native_handle()),
            SSL_CTX_get0_certificate(after->native_handle()));
}

TEST_F(ServerCertificateTest, AFailedReloadKeepsTheRunningCertificate) {
  auto certificate = ServerCertificate::load(options_);
  ASSERT_TRUE(certificate) << certificate.error().message;
  auto before = (*certificate)->current();
  write(options_.tls.cert, "half a file");
  auto reloaded = (*certificate)->reload();
  ASSERT_FALSE(reloaded);
  EXPECT_NE(reloaded.error().message.find(options_.tls.cert), std::string::npos);
  EXPECT_EQ((*certificate)->current(), before);
  // A key that does not match the certificate is refused as well.
  install(test::make_test_pki({"localhost"}));
  write(options_.tls.key, test::make_test_pki({"localhost"}).server_key_pem);
  EXPECT_FALSE((*certificate)->reload());
  EXPECT_EQ((*certificate)->current(), before);
}

TEST_F(ServerCertificateTest, ClientCaAsksForCertificates) {
  auto plain = ServerCertificate::load(options_);
  ASSERT_TRUE(plain);
  EXPECT_EQ(SSL_CTX_get_verify_mode((*plain)->current()->native_handle()), SSL_VERIFY_NONE);

  options_.client_ca = ca_;
  auto asking = ServerCertificate::load(options_);
  ASSERT_TRUE(asking) << asking.error().message;
  auto* native = (*asking)->current()->native_handle();
  EXPECT_EQ(SSL_CTX_get_verify_mode(native), SSL_VERIFY_PEER);
  EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(native)), 1);

  options_.client_ca = dir_.file("missing.pem");
  auto missing = ServerCertificate::load(options_);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("client CA"), std::string::npos);
}

}  // namespace
}  // namespace postern::net
