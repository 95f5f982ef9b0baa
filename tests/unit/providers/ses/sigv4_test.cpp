// SigV4 against every vector of data/sigv4-vectors.json (the AWS suite
// as in botocore, aws-c-auth variants, the IAM docs example, two derived SES requests): canonical
// request, string to sign, signature, Authorization, added headers.
#include "providers/ses/sigv4.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "core/hex.h"

namespace postern::providers::ses {
namespace {

namespace json = boost::json;

json::object load_vectors() {
  std::ifstream in(POSTERN_PROVIDERS_TEST_DATA "/sigv4-vectors.json", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

const json::object& vectors_file() {
  static const json::object file = load_vectors();
  return file;
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

// "20150830T123600Z" as a time point.
SystemTime parse_amz_date(const std::string& s) {
  std::tm tm{};
  tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(s.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(s.substr(6, 2));
  tm.tm_hour = std::stoi(s.substr(9, 2));
  tm.tm_min = std::stoi(s.substr(11, 2));
  tm.tm_sec = std::stoi(s.substr(13, 2));
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

class SigV4Vector : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SigV4Vector, MatchesEveryPublishedValue) {
  const auto& file = vectors_file();
  const auto& defaults = file.at("defaults").as_object();
  const auto& v = file.at("vectors").as_array().at(GetParam()).as_object();
  SCOPED_TRACE(str(v.at("name")) + " (" + str(v.at("group")) + ")");
  const auto& req = v.at("request").as_object();

  SigV4Request request;
  request.method = str(req.at("method"));
  request.path = str(req.at("path"));
  request.query = str(req.at("query"));
  for (const auto& h : req.at("headers").as_array()) {
    request.headers.emplace_back(str(h.as_array().at(0)), str(h.as_array().at(1)));
  }
  std::string body = str(req.at("body"));
  request.body = body;

  SigV4Credentials credentials{str(defaults.at("access_key_id")),
                               str(defaults.at("secret_access_key")), ""};
  SigV4Options options;
  for (const auto& h : v.at("headers_added_by_signer").as_array()) {
    auto name = str(h.as_array().at(0));
    if (name == "X-Amz-Security-Token") credentials.session_token = str(h.as_array().at(1));
    if (name == "x-amz-content-sha256") options.add_content_sha256 = true;
  }
  SigV4Scope scope{str(defaults.at("region")), str(defaults.at("service"))};
  if (const auto* context = v.if_contains("signer_context"); context && context->is_object()) {
    scope = {str(context->as_object().at("region")), str(context->as_object().at("service"))};
  }
  if (const auto* region = v.if_contains("region")) scope.region = str(*region);
  if (const auto* service = v.if_contains("service")) scope.service = str(*service);

  auto result =
      sign_v4(request, credentials, scope, parse_amz_date(str(defaults.at("amz_date"))), options);

  EXPECT_EQ(sigv4_canonical_uri(request.path), str(v.at("canonical_uri")));
  EXPECT_EQ(result.canonical_request, str(v.at("canonical_request")));
  EXPECT_EQ(result.string_to_sign, str(v.at("string_to_sign")));
  EXPECT_EQ(result.signature, str(v.at("signature")));
  EXPECT_EQ(result.authorization, str(v.at("authorization")));
  std::vector<std::pair<std::string, std::string>> added;
  for (const auto& h : v.at("headers_added_by_signer").as_array()) {
    added.emplace_back(str(h.as_array().at(0)), str(h.as_array().at(1)));
  }
  EXPECT_EQ(result.added_headers, added);
  if (const auto* key = v.if_contains("signing_key_hex")) {
    EXPECT_EQ(
        to_hex(sigv4_signing_key(credentials.secret_access_key, str(defaults.at("date_stamp")),
                                 scope.region, scope.service)),
        str(*key));
  }
}

std::vector<std::size_t> all_vectors() {
  std::vector<std::size_t> out(vectors_file().at("vectors").as_array().size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllVectors, SigV4Vector, ::testing::ValuesIn(all_vectors()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           std::string name = str(
                               vectors_file().at("vectors").as_array().at(info.param).at("name"));
                           std::string out;
                           for (char c : name)
                             out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return out + "_" + std::to_string(info.param);
                         });

TEST(SigV4, TheFileHoldsEveryVector) {
  EXPECT_EQ(vectors_file().at("vectors").as_array().size(), 41u);
}

TEST(SigV4, CanonicalQueryEncodesAgainWhatWasDecoded) {
  EXPECT_EQ(sigv4_canonical_query("b=x%20y&a=%7e+"), "a=~%2B&b=x%20y");
  // A malformed escape is signed as written: its '%' encoded.
  EXPECT_EQ(sigv4_canonical_query("a=100%&b=%zz"), "a=100%25&b=%25zz");
}

TEST(SigV4, CanonicalUriEncodesEverySegment) {
  EXPECT_EQ(sigv4_canonical_uri("/v2/a b/./c/../d~"), "/v2/a%20b/d~");
}

TEST(SigV4, FormatsAmzDateInUtc) {
  EXPECT_EQ(sigv4_amz_date(from_unix_ms(1'700'000'000'000)), "20231114T221320Z");
}

}  // namespace
}  // namespace postern::providers::ses
