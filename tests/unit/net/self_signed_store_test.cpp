#include "net/self_signed_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "support/temp_dir.h"

namespace postern::net {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const std::string& p, const std::string& text) { std::ofstream(p) << text; }

class SelfSignedStore : public ::testing::Test {
 protected:
  SelfSignedOptions options() const {
    SelfSignedOptions o;
    o.dir = dir_.path() / "data" / "tls";
    o.names = {"localhost", "127.0.0.1"};
    o.validity = 100 * 24h;
    o.renew_before = 10 * 24h;
    return o;
  }
  SelfSignedCertificate keep(SystemTime now = kStart) {
    auto r = keep_self_signed(options(), now);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : SelfSignedCertificate{};
  }

  static inline const SystemTime kStart = std::chrono::system_clock::now();
  test::TempDir dir_;
};

TEST_F(SelfSignedStore, MakesOneOnTheFirstStartAndKeepsTheKeyPrivate) {
  auto c = keep();
  EXPECT_TRUE(c.created);
  EXPECT_EQ(c.reason, "there was none yet");
  EXPECT_EQ(c.files.cert, (options().dir / "self-signed.crt").string());
  EXPECT_EQ(c.files.key, (options().dir / "self-signed.key").string());
  EXPECT_TRUE(inspect_certificate({read(c.files.cert), read(c.files.key)}));
  struct stat st {};
  ASSERT_EQ(::stat(c.files.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(options().dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_LE(std::chrono::abs(c.facts.not_after - (kStart + 100 * 24h)), 1s);
}

TEST_F(SelfSignedStore, ReusesItOnLaterStarts) {
  auto first = keep();
  auto pem = read(first.files.cert);
  auto second = keep(kStart + 50 * 24h);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.facts.sha256_fingerprint, first.facts.sha256_fingerprint);
  EXPECT_EQ(read(second.files.cert), pem);
}

TEST_F(SelfSignedStore, RenewsOneCloseToItsEndOrPastIt) {
  auto first = keep();
  auto renewed = keep(kStart + 95 * 24h);  // 5 days left, 10 asked
  EXPECT_TRUE(renewed.created);
  EXPECT_NE(renewed.reason.find("expires soon"), std::string::npos) << renewed.reason;
  EXPECT_NE(renewed.facts.sha256_fingerprint, first.facts.sha256_fingerprint);
  auto again = keep(kStart + 400 * 24h);
  EXPECT_TRUE(again.created);
  EXPECT_NE(again.reason.find("expired"), std::string::npos) << again.reason;
}

TEST_F(SelfSignedStore, ReplacesFilesItCannotUse) {
  auto first = keep();
  write(first.files.cert, "garbage");
  auto fixed = keep();
  EXPECT_TRUE(fixed.created);
  EXPECT_NE(fixed.reason.find("unusable"), std::string::npos) << fixed.reason;
  EXPECT_TRUE(inspect_certificate({read(fixed.files.cert), read(fixed.files.key)}));

  // A key from another pair (a crash between the two writes).
  auto other = make_self_signed({"localhost"}, kStart, kStart + 24h);
  ASSERT_TRUE(other);
  write(fixed.files.key, other->key);
  auto matched = keep();
  EXPECT_TRUE(matched.created);
  EXPECT_NE(matched.reason.find("does not belong"), std::string::npos) << matched.reason;

  fs::remove(matched.files.key);
  auto keyless = keep();
  EXPECT_TRUE(keyless.created);
  EXPECT_NE(keyless.reason.find("cannot read"), std::string::npos) << keyless.reason;
}

TEST_F(SelfSignedStore, AFolderThatCannotBeMadeIsAnError) {
  write((dir_.path() / "data").string(), "a file where the folder should be");
  auto r = keep_self_signed(options(), kStart);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot create"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace postern::net
