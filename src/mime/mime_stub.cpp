// Placeholder until the GMime implementation lands; replaced, not extended.
#include "mime/mime.h"

namespace postern::mime {
void init() {}
void shutdown() {}
std::string build_message(const Message&, const BuildOptions&) { return {}; }
Result<RawSummary, FieldError> summarize(std::string_view) { return FieldError{"invalid_message", "not implemented", ""}; }
std::string strip_bcc(std::string_view raw) { return std::string(raw); }
Result<Message> parse_message(std::string_view) { return error_code(Errc::invalid_argument); }
}  // namespace postern::mime
