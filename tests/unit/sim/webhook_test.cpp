// The simulator's event webhooks without sockets (sim/webhooks/): their
// settings, the outcome patterns, and each provider's request, its
// signature checked here with OpenSSL as a receiver checks it.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json.hpp>
#include <random>

#include "core/base64.h"
#include "sim/common/fault_state.h"
#include "sim/webhooks/webhook_format.h"
#include "support/mutator.h"

namespace postern::sim {
namespace {

namespace json = boost::json;

bool verifies(EVP_PKEY* key, const EVP_MD* digest, std::string_view data,
              std::string_view signature_base64) {
  auto signature = base64_decode(signature_base64);
  if (!signature) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                          signature->size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

AcceptedMessage three(Service service, std::string provider_id) {
  return AcceptedMessage{service,
                         "0postern1234",
                         std::move(provider_id),
                         {{"a@example.org", EventOutcome::delivered},
                          {"b@example.org", EventOutcome::bounced},
                          {"c@example.org", EventOutcome::complained}},
                         std::chrono::system_clock::now()};
}

class WebhookFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = SnsSigningKey::generate();
    ASSERT_TRUE(key);
    sns_.emplace(std::move(*key));
  }
  WebhookContext context() {
    return {spec_, ids_, std::chrono::system_clock::now(), *sns_, "http://127.0.0.1:9/_sim/sns"};
  }
  WebhookSpec spec_;
  IdSource ids_{7};
  std::optional<SnsSigningKey> sns_;
};

TEST(WebhookSpec, SettingsFromFlagsAndJson) {
  WebhookSpec spec;
  ASSERT_TRUE(apply_settings(
      spec, "url=http://127.0.0.1:8/h,delay=250,duplicates=0.5,order=reverse,signature_version=2"));
  EXPECT_EQ(spec.url, "http://127.0.0.1:8/h");
  EXPECT_EQ(spec.delay, std::chrono::milliseconds(250));
  EXPECT_EQ(spec.duplicates, 0.5);
  EXPECT_EQ(spec.order, EventOrder::reverse);
  EXPECT_EQ(spec.signature_version, 2);
  ASSERT_TRUE(apply_json(
      spec, json::parse(R"({"delay": null, "retries": 5, "signing_key": "k"})").as_object()));
  EXPECT_EQ(spec.delay, std::chrono::milliseconds(0));
  EXPECT_EQ(spec.retries, 5);
  EXPECT_EQ(spec.signing_key, "k");
  WebhookSpec back;
  ASSERT_TRUE(apply_json(back, to_json(spec)));
  EXPECT_EQ(back, spec);
  ASSERT_TRUE(apply_json(spec, json::parse(R"({"clear": true, "batch": 3})").as_object()));
  EXPECT_EQ(spec.url, "");
  EXPECT_EQ(spec.batch, 3);

  for (std::string_view bad : {"order=sideways", "signature_version=3", "duplicates=2",
                               "url=ftp://x", "retries=-1", "batch=0", "nonsense=1"}) {
    WebhookSpec s;
    auto r = apply_settings(s, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find(bad.substr(0, bad.find('='))), std::string::npos) << bad;
  }
}

TEST(WebhookSpec, RandomTextNeverCrashesAndKeepsASaneSpec) {
  std::mt19937 rng(28);
  std::vector<std::string> seeds = {"url=http://127.0.0.1:1/x,delay=5ms,order=shuffle",
                                    "duplicates=0.25,retries=2,retry_delay=1s,batch=7",
                                    "signature_version=1,topic_arn=arn:aws:sns:x,clear"};
  postern::test::Mutator mutator(rng, "=,.:/0123456789abcdefghijklmnopqrstuvwxyz_", seeds);
  for (int i = 0; i < 5000; ++i) {
    WebhookSpec spec;
    if (!apply_settings(spec, mutator.mutated_seed())) continue;
    EXPECT_GE(spec.duplicates, 0);
    EXPECT_LE(spec.duplicates, 1);
    EXPECT_TRUE(spec.signature_version == 1 || spec.signature_version == 2);
    EXPECT_GE(spec.batch, 1);
  }
}

TEST(WebhookSpec, OutcomePatternsInTheirOrder) {
  FaultSpec spec;
  ASSERT_TRUE(apply_settings(spec,
                             "complain=c*@*|x@*,bounce=b*@*|x@*,soft_bounce=s*@*,"
                             "defer_event=d*@*"));
  FaultState faults(spec, 1);
  EXPECT_EQ(faults.outcome("b1@example.org"), EventOutcome::bounced);
  EXPECT_EQ(faults.outcome("C1@EXAMPLE.org"), EventOutcome::complained);
  EXPECT_EQ(faults.outcome("x@example.org"), EventOutcome::complained);
  EXPECT_EQ(faults.outcome("s@example.org"), EventOutcome::soft_bounced);
  EXPECT_EQ(faults.outcome("d@example.org"), EventOutcome::deferred);
  EXPECT_EQ(faults.outcome("a@example.org"), EventOutcome::delivered);
  EXPECT_EQ(to_json(spec).at("complain").as_array().size(), 2u);
}

TEST(WebhookSpec, CredentialsInTheUrlAreTakenOut) {
  auto t = webhook_target("http://hooks:s3cret@127.0.0.1:8080/v1/webhooks/pm");
  EXPECT_EQ(t.url, "http://127.0.0.1:8080/v1/webhooks/pm");
  EXPECT_EQ(t.username, "hooks");
  EXPECT_EQ(t.password, "s3cret");
  EXPECT_EQ(webhook_target("http://127.0.0.1/x").url, "http://127.0.0.1/x");
}

TEST(WebhookRetries, NoAnswerIsRetriedWhateverTheFinalStatus) {
  WebhookPost sendgrid;  // no final status
  EXPECT_TRUE(retried_after(sendgrid, 0));
  EXPECT_TRUE(retried_after(sendgrid, 503));
  EXPECT_FALSE(retried_after(sendgrid, 200));
  WebhookPost mailgun;
  mailgun.final_status = 406;
  EXPECT_TRUE(retried_after(mailgun, 0));
  EXPECT_TRUE(retried_after(mailgun, 500));
  EXPECT_FALSE(retried_after(mailgun, 406));
  EXPECT_FALSE(retried_after(mailgun, 204));
  mailgun.retried = false;  // a delivered notification
  EXPECT_FALSE(retried_after(mailgun, 0));
  EXPECT_FALSE(retried_after(mailgun, 500));
}

TEST_F(WebhookFormat, MailgunSignsTimestampAndToken) {
  spec_.signing_key = "mg-key";
  auto posts = mailgun_events(three(Service::mailgun, "<20260101.1.2@mg.example.com>"), context());
  ASSERT_EQ(posts.size(), 3u);
  auto body = json::parse(posts[1].body).as_object();
  const auto& sig = body.at("signature").as_object();
  std::string ts(sig.at("timestamp").as_string()), token(sig.at("token").as_string());
  EXPECT_EQ(sig.at("signature").as_string(), hmac_sha256_hex("mg-key", ts + token));
  const auto& data = body.at("event-data").as_object();
  EXPECT_EQ(data.at("event").as_string(), "failed");
  EXPECT_EQ(data.at("severity").as_string(), "permanent");
  EXPECT_EQ(data.at("message").at("headers").at("message-id").as_string(),
            "20260101.1.2@mg.example.com");
  EXPECT_EQ(data.at("user-variables").at("postern-id").as_string(), "0postern1234");
  EXPECT_FALSE(posts[0].retried);  // delivered: Mailgun does not retry it
  EXPECT_TRUE(posts[1].retried);
  EXPECT_EQ(posts[1].final_status, 406);
}

TEST_F(WebhookFormat, SendGridBatchesAndSignsTimestampAndBody) {
  spec_.batch = 2;
  auto posts = sendgrid_events(three(Service::sendgrid, "xmsgid"), context());
  ASSERT_EQ(posts.size(), 2u);
  auto events = json::parse(posts[0].body).as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].at("event").as_string(), "bounce");
  EXPECT_TRUE(events[0].at("sg_message_id").as_string().starts_with("xmsgid."));
  EXPECT_EQ(events[0].at("postern_id").as_string(), "0postern1234");

  auto key = EcSigningKey::generate();
  ASSERT_TRUE(key);
  auto headers = sendgrid_signature_headers(*key, posts[0].body, 1770000000);
  auto der = base64_decode(key->public_key_base64());
  ASSERT_TRUE(der);
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
  ASSERT_TRUE(pub);
  EXPECT_EQ(headers[1].second, "1770000000");
  EXPECT_TRUE(verifies(pub.get(), EVP_sha256(), "1770000000" + posts[0].body, headers[0].second));
  EXPECT_FALSE(verifies(pub.get(), EVP_sha256(), "1770000001" + posts[0].body, headers[0].second));
}

TEST_F(WebhookFormat, SnsSignsTheCanonicalStringWithVersion1And2) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(sns_->certificate_pem().data(),
                      static_cast<int>(sns_->certificate_pem().size())),
      BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  ASSERT_TRUE(cert);
  for (int version : {1, 2}) {
    spec_.signature_version = version;
    auto posts = sns_events(three(Service::ses, "0100-ses-id"), context());
    ASSERT_EQ(posts.size(), 3u);
    auto m = json::parse(posts[2].body).as_object();
    std::string text;
    for (auto key : {"Message", "MessageId", "Timestamp", "TopicArn", "Type"})
      text += std::string(key) + "\n" + std::string(m.at(key).as_string()) + "\n";
    EXPECT_TRUE(verifies(X509_get0_pubkey(cert.get()), version == 2 ? EVP_sha256() : EVP_sha1(),
                         text, m.at("Signature").as_string()))
        << version;
    auto ses = json::parse(m.at("Message").as_string()).as_object();
    EXPECT_EQ(ses.at("notificationType").as_string(), "Complaint");
    EXPECT_EQ(ses.at("mail").at("messageId").as_string(), "0100-ses-id");
    EXPECT_EQ(m.at("SigningCertURL").as_string(),
              "http://127.0.0.1:9/_sim/sns/SimpleNotificationService-sim.pem");
  }
  auto confirmation = json::parse(sns_subscription_confirmation(context(), "tok").body).as_object();
  EXPECT_EQ(confirmation.at("Type").as_string(), "SubscriptionConfirmation");
  EXPECT_TRUE(confirmation.at("SubscribeURL").as_string().ends_with("&Token=tok"));
}

TEST_F(WebhookFormat, PostmarkRecordsWithBasicAuthFromTheUrl) {
  spec_.url = "http://hooks:pw@127.0.0.1:1/pm";
  auto posts = postmark_events(three(Service::postmark, "uuid-1"), context());
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(json::parse(posts[0].body).at("RecordType").as_string(), "Delivery");
  auto bounce = json::parse(posts[1].body).as_object();
  EXPECT_EQ(bounce.at("Type").as_string(), "HardBounce");
  EXPECT_EQ(bounce.at("TypeCode").as_int64(), 1);
  EXPECT_EQ(bounce.at("Email").as_string(), "b@example.org");
  EXPECT_EQ(json::parse(posts[2].body).at("RecordType").as_string(), "SpamComplaint");
  EXPECT_EQ(posts[0].headers.back(), (std::pair<std::string, std::string>{
                                         "Authorization", "Basic " + base64_encode("hooks:pw")}));
}

}  // namespace
}  // namespace postern::sim
