// The webhook settings of each provider: read with the provider's other
// settings, refused with the key named when they cannot work, and a
// provider has a webhook exactly when they are set.
#include <gtest/gtest.h>

#include "providers/mailgun/mailgun_provider.h"
#include "providers/postmark/postmark_provider.h"
#include "providers/provider_test_support.h"
#include "providers/sendgrid/sendgrid_provider.h"
#include "providers/ses/ses_provider.h"
#include "providers/webhook_crypto.h"

namespace postern::providers {
namespace {

using test_support::provider_config;
using Settings = std::map<std::string, std::string>;

template <class Read>
std::string refused_key(Read read, const std::string& type, Settings settings) {
  auto r = read(provider_config(type, std::move(settings)));
  EXPECT_FALSE(r) << type;
  return r ? "" : r.error().key;
}

TEST(WebhookSettingsTest, MailgunSigningKey) {
  test_support::ProviderHarness h;
  mailgun::MailgunFactory factory;
  Settings base{{"api_key", "k"}, {"domain", "mg.example.com"}};
  auto without = h.create(factory, base);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->webhook(), nullptr);
  base["webhook_signing_key"] = "signing";
  auto with = h.create(factory, base);
  ASSERT_TRUE(with && with->webhook());
  EXPECT_EQ(with->webhook()->refusal_status(), 406);
}

TEST(WebhookSettingsTest, SendGridPublicKeyIsCheckedAtLoad) {
  test_support::ProviderHarness h;
  sendgrid::SendGridFactory factory;
  auto key = test::TestKey::ec("P-256").public_der_base64();
  auto with = h.create(factory, {{"api_key", "k"}, {"webhook_public_key", key}});
  ASSERT_TRUE(with && with->webhook());
  EXPECT_EQ(with->webhook()->refusal_status(), 401);
  EXPECT_EQ(refused_key(sendgrid::read_sendgrid_settings, "sendgrid",
                        {{"api_key", "k"}, {"webhook_public_key", "MFkwEw"}}),
            "providers[0].webhook_public_key");
}

TEST(WebhookSettingsTest, SesTopicAndCertificateHosts) {
  test_support::ProviderHarness h;
  ses::SesFactory factory;
  Settings base{{"access_key_id", "a"}, {"secret_access_key", "s"}, {"region", "us-east-1"}};
  auto without = h.create(factory, base);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->webhook(), nullptr);
  auto with = base;
  with["webhook_topic_arn"] = "arn:aws:sns:us-east-1:123456789012:ses-events";
  with["webhook_cert_hosts"] = "127.0.0.1, certs.example";
  auto read = ses::read_ses_settings(provider_config("ses", with));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->webhook.hosts.extra_hosts,
            (std::vector<std::string>{"127.0.0.1", "certs.example"}));
  auto provider = h.create(factory, with);
  ASSERT_TRUE(provider && provider->webhook());

  auto bad_arn = base;
  bad_arn["webhook_topic_arn"] = "ses-events";
  EXPECT_EQ(refused_key(ses::read_ses_settings, "ses", bad_arn), "providers[0].webhook_topic_arn");
  auto hosts_alone = base;
  hosts_alone["webhook_cert_hosts"] = "127.0.0.1";
  EXPECT_EQ(refused_key(ses::read_ses_settings, "ses", hosts_alone),
            "providers[0].webhook_cert_hosts");
  for (auto hosts : {"http://127.0.0.1", "127.0.0.1:8080", "a,,b", ","}) {
    auto bad = with;
    bad["webhook_cert_hosts"] = hosts;
    EXPECT_EQ(refused_key(ses::read_ses_settings, "ses", bad), "providers[0].webhook_cert_hosts")
        << hosts;
  }
}

TEST(WebhookSettingsTest, PostmarkCredentialsGoTogether) {
  test_support::ProviderHarness h;
  postmark::PostmarkFactory factory;
  auto with =
      h.create(factory, {{"api_key", "k"}, {"webhook_username", "u"}, {"webhook_password", "p"}});
  ASSERT_TRUE(with && with->webhook());
  EXPECT_EQ(refused_key(postmark::read_postmark_settings, "postmark",
                        {{"api_key", "k"}, {"webhook_username", "u"}}),
            "providers[0].webhook_password");
  EXPECT_EQ(refused_key(postmark::read_postmark_settings, "postmark",
                        {{"api_key", "k"}, {"webhook_password", "p"}}),
            "providers[0].webhook_username");
}

}  // namespace
}  // namespace postern::providers
