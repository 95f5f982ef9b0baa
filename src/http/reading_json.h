// What a reader of a message sees over HTTP, from its bytes: the JSON of
// its reading view (headers, text, sanitised HTML, attachments), its HTML
// alone and an attachment. Shared by the test inbox's messages
// (/v1/test-accounts/{user}/messages/{uid}) and the gateway's own
// (/v1/messages/{id}/content), whose routes differ only in where the
// bytes come from and the path the links start with (`base`).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/field_error.h"
#include "mime/reading_view.h"
#include "net/http_message.h"

namespace postern::http {

// The view as JSON, the HTML sanitised with remote content blocked; links
// (html_url, raw_url, attachments' url, cid: images) under `base`.
boost::json::object reading_json(const mime::ReadingView& view, const std::string& base);

// The `remote` parameter of an HTML page's query (0 or 1, 0 when absent),
// or why the query is refused (a 400).
Result<bool, FieldError> remote_param(std::string_view query);

// The sanitised HTML of `raw` as a page (remote content only with
// `remote`), or 404 naming `id_field` when it has none.
net::HttpResponse html_response(std::string_view raw, const std::string& base, bool remote,
                                std::string_view id_field);

// Attachment `part` of `raw`, served as a download; 404 naming "part".
net::HttpResponse attachment_response(std::string_view raw, const std::string& part);

}  // namespace postern::http
