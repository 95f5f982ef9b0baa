// The header of a raw message read into fields: what summarize returns plus
// what parse_message needs on top (Reply-To, the custom headers).
#pragma once

#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/field_error.h"
#include "core/message.h"
#include "mime/mime.h"

namespace postern::mime::detail {

struct HeaderFields {
  RawSummary summary;
  std::vector<Mailbox> reply_to;
  HeaderList custom;  // non-structural fields, names as written, values decoded
};

enum class CustomHeaders { skip, read };

// Reads and checks the header section of `raw` (see summarize for errors;
// an invalid Reply-To is refused too, with field "Reply-To"). `custom` is
// left empty with CustomHeaders::skip, which spares intake the decoding.
Result<HeaderFields, FieldError> read_header_fields(std::string_view raw, CustomHeaders custom);

// True when build_message writes, and parse_message keeps, a custom header of
// this name: is_allowed_custom_header and not Content-* (the MIME structure
// owns those, RFC 2045 §9).
bool is_custom_header(std::string_view name);

// The msg-id of a Message-ID field value without its brackets (RFC 5322
// §3.6.4); a bare id is taken as is, anything else with spaces is "".
std::string message_id_of(std::string_view value);

}  // namespace postern::mime::detail
