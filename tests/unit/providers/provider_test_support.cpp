#include "providers/provider_test_support.h"

#include <gtest/gtest.h>

#include <future>

#include "core/message_json.h"
#include "mime/mime.h"

namespace postern::providers::test_support {

namespace {

// GMime is initialised once for the test binary (mime.h asks for init()
// before any other call).
class MimeEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { mime::init(); }
  void TearDown() override { mime::shutdown(); }
};
[[maybe_unused]] ::testing::Environment* const kMime =
    ::testing::AddGlobalTestEnvironment(new MimeEnvironment);

template <class T, class Start>
T wait_for(Start start) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  start([promise](T value) { promise->set_value(std::move(value)); });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "the provider did not answer within 10 s";
    return T{};
  }
  return future.get();
}

}  // namespace

ProviderHarness::ProviderHarness()
    : http_(net::HttpClient::create(io_, {}).value()), context_{io_, *http_, clock_, metrics_} {
  io_.start();
}

ProviderHarness::~ProviderHarness() { io_.stop(); }

SendResult ProviderHarness::send(Provider& provider,
                                 std::shared_ptr<const OutboundMessage> message) {
  return wait_for<SendResult>([&](auto done) { provider.send(std::move(message), done); });
}

ProbeResult ProviderHarness::probe(Provider& provider) {
  return wait_for<ProbeResult>([&](auto done) { provider.probe(done); });
}

std::unique_ptr<Provider> ProviderHarness::create(const ProviderFactory& factory,
                                                  std::map<std::string, std::string> settings) {
  auto created =
      factory.create(provider_config(std::string(factory.type()), std::move(settings)), context_);
  EXPECT_TRUE(created) << (created ? "" : created.error().to_string());
  return created ? std::move(*created) : nullptr;
}

ProviderConfig provider_config(const std::string& type,
                               std::map<std::string, std::string> settings) {
  ProviderConfig c;
  c.name = type + "-test";
  c.type = type;
  c.settings = std::move(settings);
  c.key_path = "providers[0]";
  return c;
}

Message sample_message() {
  Message m;
  m.from = {"Zoë Sender", "from@example.com"};
  m.to = {{"Jürgen Müller", "juergen@example.de"}, {"", "plain@example.org"}};
  m.cc = {{"Ünïcödé Cc", "cc@example.net"}};
  m.bcc = {{"", "hidden@example.com"}};
  m.reply_to = {{"Support", "support@example.com"}};
  m.subject = "Grüße aus Köln — 你好";
  m.text = "Hallo Jürgen,\n.dot line\nbye\n";
  m.html = "<p>Hallo J&uuml;rgen, <img src=\"cid:logo\"></p>";
  m.headers = {{"X-Campaign", "spring-2024"}};
  m.attachments.push_back(
      {"résumé.pdf", "application/pdf", std::string("%PDF-1.4\0\x01\x02\xff", 12), "", false});
  m.attachments.push_back(
      {"logo.png", "image/png", std::string("\x89PNG\r\n\x1a\n", 8), "logo", true});
  m.tags = {"welcome", "spring", "de", "fourth"};
  m.metadata = {{"customer", "42"}, {"plan", "pro"}};
  return m;
}

std::shared_ptr<const OutboundMessage> json_message(const Message& message,
                                                    std::vector<std::string> tags) {
  if (tags.empty()) tags = message.tags;
  return std::make_shared<OutboundMessage>(MessageId(kSampleId), ContentFormat::json,
                                           message_to_json(message), envelope_of(message),
                                           std::move(tags), from_unix_ms(1'700'000'000'000));
}

std::shared_ptr<const OutboundMessage> raw_message(std::string raw, Envelope envelope,
                                                   std::vector<std::string> tags) {
  return std::make_shared<OutboundMessage>(MessageId(kSampleId), ContentFormat::mime,
                                           std::move(raw), std::move(envelope), std::move(tags),
                                           from_unix_ms(1'700'000'000'000));
}

std::string sample_raw_message() {
  return "From: =?UTF-8?Q?Zo=C3=AB?= <from@example.com>\r\n"
         "To: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.de>\r\n"
         "Bcc: hidden@example.com\r\n"
         "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"
         "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
         "Message-ID: <raw-1@example.com>\r\n"
         "X-Mailer: test-suite\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
         "\r\n"
         "--b1\r\n"
         "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
         "\r\n"
         "--b2\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n"
         "\r\n"
         "Gr\xC3\xBC\xC3\x9F"
         "e\r\n"
         ".leading dot\r\n"
         "--b2\r\n"
         "Content-Type: text/html; charset=utf-8\r\n"
         "\r\n"
         "<b>Hi</b>\r\n"
         "--b2--\r\n"
         "--b1\r\n"
         "Content-Type: text/csv; name=\"data.csv\"\r\n"
         "Content-Disposition: attachment; filename=\"data.csv\"\r\n"
         "Content-Transfer-Encoding: base64\r\n"
         "\r\n"
         "YSxiCjEsMgo=\r\n"
         "--b1--\r\n";
}

Envelope sample_raw_envelope() {
  return {"bounce@example.com",
          {{"juergen@example.de", RecipientKind::to}, {"hidden@example.com", RecipientKind::bcc}}};
}

std::vector<FormPart> parse_form(const std::string& content_type, const std::string& body) {
  std::vector<FormPart> parts;
  auto pos = content_type.find("boundary=");
  if (pos == std::string::npos) return parts;
  std::string delimiter = "--" + content_type.substr(pos + 9);
  std::size_t at = body.find(delimiter);
  while (at != std::string::npos) {
    std::size_t start = at + delimiter.size();
    if (body.compare(start, 2, "--") == 0) break;
    start += 2;  // CRLF
    std::size_t next = body.find("\r\n" + delimiter, start);
    if (next == std::string::npos) break;
    std::string part = body.substr(start, next - start);
    auto split = part.find("\r\n\r\n");
    std::string head = part.substr(0, split);
    FormPart p;
    p.content = part.substr(split + 4);
    auto param = [&](const std::string& key) {
      auto k = head.find("; " + key + "=\"");
      if (k == std::string::npos) return std::string();
      auto b = k + key.size() + 4;
      return head.substr(b, head.find('"', b) - b);
    };
    p.name = param("name");
    p.is_file = head.find("; filename=\"") != std::string::npos;
    p.filename = param("filename");
    if (auto ct = head.find("Content-Type: "); ct != std::string::npos) {
      p.content_type = head.substr(ct + 14, head.find("\r\n", ct) == std::string::npos
                                                ? std::string::npos
                                                : head.find("\r\n", ct) - ct - 14);
    }
    parts.push_back(std::move(p));
    at = next + 2;
  }
  return parts;
}

std::vector<std::string> form_values(const std::vector<FormPart>& parts, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& p : parts) {
    if (p.name == name) out.push_back(p.content);
  }
  return out;
}

}  // namespace postern::providers::test_support
