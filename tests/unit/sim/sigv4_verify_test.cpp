// The simulator's SigV4 verifier (sim/ses/sigv4_verify.h) against every
// vector of tests/unit/providers/data/sigv4-vectors.json: the AWS suite,
// the aws-c-auth variants, the IAM docs example and two SES requests signed
// by botocore. The verifier sees each request as a server does, with the
// headers the signer added, and must rebuild the canonical request, the
// string to sign, the signing key and the signature; check_sigv4 must accept
// the SES ones. Nothing here uses Postern's client signer.
#include "sim/ses/sigv4_verify.h"

#include <gtest/gtest.h>

#include <boost/algorithm/hex.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sim/ses/sigv4_check.h"

namespace postern::sim::sigv4 {
namespace {

namespace json = boost::json;

const json::object& suite() {
  static const json::object file = [] {
    std::ifstream in(POSTERN_SIGV4_VECTORS, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return json::parse(text.str()).as_object();
  }();
  return file;
}

const json::array& vectors() { return suite().at("vectors").as_array(); }

std::string text(const json::value& v) { return std::string(v.as_string()); }

std::string text_or(const json::object& o, std::string_view key, std::string fallback) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? text(*v) : fallback;
}

// A vector as the verifier needs it: the request as received, and what the
// Authorization header says.
struct Case {
  const json::object& vector;
  net::HttpRequest request;
  Scope scope;
  std::string amz_date;
  std::vector<std::string> signed_headers;
};

Case case_of(std::size_t index) {
  const auto& defaults = suite().at("defaults").as_object();
  const auto& v = vectors().at(index).as_object();
  const auto& req = v.at("request").as_object();
  Case c{v, {}, {}, text(defaults.at("amz_date")), {}};
  c.request.method = text(req.at("method"));
  c.request.path = text(req.at("path"));
  c.request.query = text(req.at("query"));
  c.request.body = text(req.at("body"));
  for (const auto* list : {&req.at("headers"), &v.at("headers_added_by_signer")}) {
    for (const auto& h : list->as_array()) {
      c.request.headers.emplace_back(text(h.as_array().at(0)), text(h.as_array().at(1)));
    }
  }
  auto authorization = text(v.at("authorization"));
  c.request.headers.emplace_back("Authorization", authorization);
  const auto* context = v.if_contains("signer_context");
  const auto& scoped = context && context->is_object() ? context->as_object() : v;
  c.scope = {text(defaults.at("date_stamp")),
             text_or(scoped, "region", text(defaults.at("region"))),
             text_or(scoped, "service", text(defaults.at("service")))};
  // "..., SignedHeaders=a;b;c, Signature=..."
  auto from = authorization.find("SignedHeaders=") + 14;
  std::istringstream names(authorization.substr(from, authorization.find(',', from) - from));
  for (std::string name; std::getline(names, name, ';');) c.signed_headers.push_back(name);
  return c;
}

class SimSigV4Vector : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SimSigV4Vector, RebuildsEveryPublishedValue) {
  auto c = case_of(GetParam());
  SCOPED_TRACE(text(c.vector.at("name")));
  auto canonical = canonical_request(c.request, c.signed_headers);
  EXPECT_EQ(canonical, text(c.vector.at("canonical_request")));
  auto to_sign = string_to_sign(c.amz_date, c.scope, canonical);
  EXPECT_EQ(to_sign, text(c.vector.at("string_to_sign")));
  auto key = signing_key(text(suite().at("defaults").at("secret_access_key")), c.scope);
  if (const auto* expected = c.vector.if_contains("signing_key_hex")) {
    std::string hex;
    boost::algorithm::hex_lower(key.begin(), key.end(), std::back_inserter(hex));
    EXPECT_EQ(hex, text(*expected));
  }
  EXPECT_EQ(signature(key, to_sign), text(c.vector.at("signature")));
}

std::vector<std::size_t> every_vector() {
  std::vector<std::size_t> out(vectors().size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

INSTANTIATE_TEST_SUITE_P(Suite, SimSigV4Vector, ::testing::ValuesIn(every_vector()));

TEST(SimSigV4, CheckAcceptsBothSesRequestsOfTheSuite) {
  ASSERT_EQ(vectors().size(), 41u);
  const auto& defaults = suite().at("defaults").as_object();
  auto at = SystemTime(std::chrono::seconds(1440938160));  // 20150830T123600Z
  std::size_t ses = 0;
  for (std::size_t i = 0; i < vectors().size(); ++i) {
    auto c = case_of(i);
    if (c.scope.service != "ses") continue;
    ++ses;
    SCOPED_TRACE(text(c.vector.at("name")));
    SesCredentials credentials{text(defaults.at("access_key_id")),
                               text(defaults.at("secret_access_key")), c.scope.region};
    auto refusal = check_sigv4(c.request, credentials, at);
    EXPECT_FALSE(refusal) << refusal->type << ": " << refusal->message;
  }
  EXPECT_EQ(ses, 2u);
}

// A request sent with its path percent-encoded signs as its decoded form.
TEST(SimSigV4, DecodesThePathAsSentBeforeEncodingIt) {
  net::HttpRequest sent;
  sent.method = "GET";
  sent.path = "/example%20space/";
  sent.headers = {{"Host", "example.amazonaws.com"}};
  auto canonical = canonical_request(sent, {"host"});
  EXPECT_TRUE(canonical.starts_with("GET\n/example%20space/\n\nhost:example.amazonaws.com\n"))
      << canonical;
}

}  // namespace
}  // namespace postern::sim::sigv4
