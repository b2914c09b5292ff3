// lib/aws — the SigV4 signature of the data channel's WebSocket upgrade (protocol-updates.md
// §2): a GET of the StreamUrl signed for service `ssmmessages`, and the test that tells a
// presigned StreamUrl (which must not be signed again) from a plain one. The query string is
// read as the reference reads it (form-decoded, then re-encoded), so that the signature is
// the one the service expects even for `cell-number` values holding '+', '/' or '='.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/sigv4.h"

namespace ssm::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kStreamService = "ssmmessages";

// A request target ("/path?query", on-the-wire form) as SigV4 sees it: the raw path (signed
// escaped once more) and the form-decoded query pairs; pieces that do not decode, or hold
// ';', are left out, as the reference's URL parser leaves them out.
SignableRequest signable_from_target(std::string method, std::string_view raw_target);

// True when the URL's query carries any of the X-Amz-* presigning keys (§2.4). A URL that
// does not parse is not presigned.
bool is_presigned_url(std::string_view url);

// X-Amz-Date, X-Amz-Security-Token (with temporary credentials) and Authorization for the
// upgrade GET of `url`, signed at `unix_time`; nullopt when the URL does not parse. The
// region goes into the scope verbatim, even when empty, as the reference does.
std::optional<HeaderList> sign_stream_upgrade(std::string_view url, const std::string& region,
                                              const Credentials& credentials, std::int64_t unix_time);

}  // namespace ssm::aws
