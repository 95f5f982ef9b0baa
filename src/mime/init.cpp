// Process-wide GMime set-up (GMime's own state, not Postern's).
#include <gmime/gmime.h>

#include "mime/mime.h"

namespace postern::mime {

void init() { g_mime_init(); }

void shutdown() { g_mime_shutdown(); }

}  // namespace postern::mime
