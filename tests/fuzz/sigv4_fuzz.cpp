// libFuzzer target: AWS Signature Version 4 with fuzzed requests,
// credentials, regions and times. The SES client signs (providers/ses's
// sign_v4) and the simulator verifies with its own code written from the
// AWS documentation (sim/ses/sigv4_verify.h): the two must agree on the
// canonical request and the signature. Beyond that: the signature is 64
// lower-case hex digits, and does not change when header names change case
// or values gain blanks around them (both are canonicalised away).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "fuzz_check.h"
#include "providers/ses/sigv4.h"
#include "sim/ses/sigv4_check.h"
#include "sim/ses/sigv4_verify.h"

namespace {

using namespace postern;
using providers::ses::SigV4Request;
using providers::ses::SigV4Result;

template <class Keep>
std::string only(std::string s, Keep keep) {
  std::erase_if(s, [&](char c) { return !keep(c); });
  return s;
}

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&'*+-.^_`|~").find(c) != std::string_view::npos;
}
// What an HTTP server hands on as a header value: no control characters
// but the tab.
bool value_char(char c) {
  auto byte = static_cast<unsigned char>(c);
  return c == '\t' || (byte >= 0x20 && byte != 0x7f);
}
bool region_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// Headers the test itself owns: the signer's date, the credentials, Host.
bool owned_header(std::string_view name) {
  return ascii_iequals(name, "authorization") || ascii_iequals(name, "x-amz-date") ||
         ascii_iequals(name, "x-amz-security-token") || ascii_iequals(name, "host");
}

// A query as the client writes one: every '%' starts an escape. Where a
// '%' has no two hex digits after it the signer (on Boost.URL) and the
// verifier (decoding escape by escape) read the query differently, and
// neither the client sends nor the AWS documentation defines such a query;
// those '%' are written as "%25".
std::string escapes_completed(std::string_view query) {
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  for (std::size_t i = 0; i < query.size(); ++i) {
    bool escape = query[i] == '%' && i + 2 < query.size();
    escape = escape && hex(query[i + 1]) && hex(query[i + 2]);
    out += query[i] == '%' && !escape ? std::string("%25") : std::string(1, query[i]);
  }
  return out;
}

struct Input {
  SigV4Request request;
  std::string body;
  providers::ses::SigV4Credentials credentials;
  std::string region;
  SystemTime time;
  providers::ses::SigV4Options options;
};

Input read_input(FuzzedDataProvider& in) {
  Input out;
  // 1970 to 2099: four-digit years, as X-Amz-Date has.
  out.time =
      SystemTime(std::chrono::seconds(in.ConsumeIntegralInRange<std::int64_t>(0, 4102444799)));
  out.credentials.access_key_id = "AKIDFUZZ";
  out.credentials.secret_access_key = in.ConsumeRandomLengthString(48);
  if (in.ConsumeBool())
    out.credentials.session_token = only(in.ConsumeRandomLengthString(32), token_char);
  out.region = only(in.ConsumeRandomLengthString(16), region_char);
  if (out.region.empty()) out.region = "us-east-1";
  out.options.add_content_sha256 = in.ConsumeBool();
  out.request.method = in.PickValueInArray({"GET", "POST", "PUT", "DELETE"});
  // The client signs the path before encoding it; without '%' it reads the
  // same to a server that decodes the path it receives.
  out.request.path = "/" + only(in.ConsumeRandomLengthString(64), [](char c) { return c != '%'; });
  out.request.query = escapes_completed(in.ConsumeRandomLengthString(64));
  out.request.headers.emplace_back("Host", "email." + out.region + ".amazonaws.com");
  for (int n = in.ConsumeIntegralInRange(0, 5); n > 0; --n) {
    auto name = only(in.ConsumeRandomLengthString(16), token_char);
    auto value = only(in.ConsumeRandomLengthString(32), value_char);
    if (!name.empty() && !owned_header(name)) out.request.headers.emplace_back(name, value);
  }
  out.body = in.ConsumeRemainingBytesAsString();
  return out;
}

SigV4Result sign(Input input) {
  input.request.body = input.body;
  return providers::ses::sign_v4(input.request, input.credentials, {input.region, "ses"},
                                 input.time, input.options);
}

// The request as the simulator receives it.
net::HttpRequest as_sent(const Input& input, const SigV4Result& signature) {
  net::HttpRequest out;
  out.method = input.request.method;
  out.path = input.request.path;
  out.query = input.request.query;
  out.target = out.path + (out.query.empty() ? "" : "?" + out.query);
  out.headers = input.request.headers;
  out.headers.insert(out.headers.end(), signature.added_headers.begin(),
                     signature.added_headers.end());
  out.headers.emplace_back("Authorization", signature.authorization);
  out.headers.emplace_back("User-Agent", "postern");  // never signed
  out.body = input.body;
  return out;
}

std::vector<std::string> signed_headers(std::string_view authorization) {
  std::vector<std::string> out;
  auto from = authorization.find("SignedHeaders=") + 14;
  auto list = authorization.substr(from, authorization.find(',', from) - from);
  for (auto at = list.find(';'); !list.empty(); at = list.find(';')) {
    out.emplace_back(list.substr(0, at));
    list = at == std::string_view::npos ? std::string_view() : list.substr(at + 1);
  }
  return out;
}

bool lower_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  auto input = read_input(in);
  auto signature = sign(input);
  FUZZ_CHECK(lower_hex(signature.signature));

  auto sent = as_sent(input, signature);
  auto verifier_view = sim::sigv4::canonical_request(sent, signed_headers(signature.authorization));
  if (verifier_view != signature.canonical_request) {
    std::fprintf(stderr, "signer:\n%s\n\nverifier:\n%s\n", signature.canonical_request.c_str(),
                 verifier_view.c_str());
  }
  FUZZ_CHECK(verifier_view == signature.canonical_request);
  auto refusal = sim::check_sigv4(
      sent, {"AKIDFUZZ", input.credentials.secret_access_key, input.region}, input.time);
  if (refusal) std::fprintf(stderr, "%s: %s\n", refusal->type.c_str(), refusal->message.c_str());
  FUZZ_CHECK(!refusal);

  auto reworded = input;
  for (auto& [name, value] : reworded.request.headers) {
    name = ascii_lowered(name);
    value = " " + value + "\t";
  }
  FUZZ_CHECK(sign(reworded).signature == signature.signature);
  return 0;
}
