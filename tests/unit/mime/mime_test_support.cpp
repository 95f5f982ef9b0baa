// Test-side helpers; GMime is used directly here so that assertions do not
// lean on the code under test.
#include "mime_test_support.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

#include "core/ascii.h"

namespace postern::mime::test {
namespace {

struct Unref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Unref>;

Ptr<GMimeMessage> gmime_parse(std::string_view raw) {
  Ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Ptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  return Ptr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr));
}

void describe(GMimeObject* object, std::string& out) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  char* mime_type = g_mime_content_type_get_mime_type(type);
  out += mime_type;
  g_free(mime_type);
  if (GMIME_IS_MULTIPART(object)) {
    auto* mp = GMIME_MULTIPART(object);
    out += "(";
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i) {
      if (i > 0) out += ",";
      describe(g_mime_multipart_get_part(mp, i), out);
    }
    out += ")";
  }
}

void collect(GMimeObject* object, std::vector<std::string>& out) {
  if (GMIME_IS_MULTIPART(object)) {
    auto* mp = GMIME_MULTIPART(object);
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i) {
      collect(g_mime_multipart_get_part(mp, i), out);
    }
    return;
  }
  if (!GMIME_IS_PART(object)) return;
  GMimeDataWrapper* wrapper = g_mime_part_get_content(GMIME_PART(object));
  Ptr<GMimeStream> mem(g_mime_stream_mem_new());
  if (wrapper != nullptr) g_mime_data_wrapper_write_to_stream(wrapper, mem.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  out.emplace_back(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace

SystemTime sample_date() {
  using namespace std::chrono;
  return sys_days{year{2025} / July / 1} + hours{9} + minutes{5} + seconds{3};
}

BuildOptions sample_options(std::string message_id) {
  BuildOptions options;
  options.message_id = std::move(message_id);
  options.date = sample_date();
  return options;
}

Message minimal_message() {
  Message m;
  m.from = {"Alice", "alice@example.com"};
  m.to = {{"", "bob@example.org"}};
  m.subject = "Hi";
  return m;
}

std::vector<std::string> crlf_lines(std::string_view raw) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t end = raw.find("\r\n", pos);
    if (end == std::string_view::npos) {
      out.emplace_back(raw.substr(pos));
      break;
    }
    out.emplace_back(raw.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

std::string header_section(std::string_view raw) {
  std::size_t end = raw.find("\r\n\r\n");
  return std::string(raw.substr(0, end == std::string_view::npos ? raw.size() : end + 2));
}

std::vector<std::string> header_names(std::string_view raw) {
  std::vector<std::string> out;
  for (const auto& line : crlf_lines(header_section(raw))) {
    if (line.empty() || line[0] == ' ' || line[0] == '\t') continue;
    out.push_back(line.substr(0, line.find(':')));
  }
  return out;
}

std::string header_value(std::string_view raw, std::string_view name) {
  std::string value;
  bool in_field = false;
  for (const auto& line : crlf_lines(header_section(raw))) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (in_field) value += line;
      continue;
    }
    if (in_field) return value;
    auto colon = line.find(':');
    if (colon != std::string::npos && ascii_iequals(line.substr(0, colon), name)) {
      in_field = true;
      value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    }
  }
  return in_field ? value : "<absent>";
}

bool only_crlf(std::string_view raw) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && (i + 1 == raw.size() || raw[i + 1] != '\n')) return false;
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) return false;
  }
  return true;
}

std::size_t longest_line(std::string_view raw) {
  std::size_t longest = 0;
  for (const auto& line : crlf_lines(raw)) longest = std::max(longest, line.size());
  return longest;
}

std::string mime_tree(std::string_view raw) {
  auto message = gmime_parse(raw);
  if (!message) return "<unparsable>";
  GMimeObject* root = g_mime_message_get_mime_part(message.get());
  if (root == nullptr) return "<none>";
  std::string out;
  describe(root, out);
  return out;
}

std::string gmime_decode_text(std::string_view text) {
  std::string copy(text);
  char* decoded = g_mime_utils_header_decode_text(nullptr, copy.c_str());
  std::string out(decoded);
  g_free(decoded);
  return out;
}

std::vector<std::string> gmime_leaf_contents(std::string_view raw) {
  std::vector<std::string> out;
  auto message = gmime_parse(raw);
  if (message && g_mime_message_get_mime_part(message.get()) != nullptr) {
    collect(g_mime_message_get_mime_part(message.get()), out);
  }
  return out;
}

std::string all_bytes(int copies) {
  std::string out;
  for (int k = 0; k < copies; ++k) {
    for (int b = 0; b < 256; ++b) out.push_back(static_cast<char>(b));
  }
  return out;
}

std::string mutate(std::string s, std::mt19937_64& rng, std::span<const std::string_view> tokens) {
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  int count = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < count; ++i) {
    std::size_t pos = pick(s.size() + 1);
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 1:
        s.insert(pos, 1, static_cast<char>(rng()));
        break;
      case 2:
        s.erase(pos, 1 + pick(16));
        break;
      case 3: {
        std::size_t from = pick(s.size() + 1);
        std::string copy = s.substr(from, 1 + pick(64));
        s.insert(pos, copy);
        break;
      }
      case 4:
        if (!tokens.empty()) s.insert(pos, tokens[pick(tokens.size())]);
        break;
      default:
        s.resize(pos);
        break;
    }
  }
  return s;
}

}  // namespace postern::mime::test
