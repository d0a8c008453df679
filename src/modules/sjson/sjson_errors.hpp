// The texts sjson raises (app/modules/sjson.c, the same at 2.2.1 and 3.0), in one place. The
// "busy" ones are the emulator's own: the firmware has no guard there and would corrupt its state.
#pragma once

namespace nodemcu_emu::sjson::errors {

// Decoder.
inline constexpr const char* k_previous_call = "JSON parse error: previous call";
inline constexpr const char* k_parse_error = "JSON parse error: %s";  // jsonsl_strerror name
inline constexpr const char* k_not_complete = "decode not complete";
inline constexpr const char* k_incomplete = "Incomplete JSON object passed to sjson.decode";
inline constexpr const char* k_decoder_feeding = "sjson: the decoder is busy (write from its own callback)";
inline constexpr const char* k_decoder_busy = "sjson: the decoder is busy";

// Encoder.
inline constexpr const char* k_cannot_encode = "Cannot encode type %d";  // the Lua type number
inline constexpr const char* k_encoder_overflow = "encoder stack overflow";
inline constexpr const char* k_encoder_busy = "sjson: the encoder is busy";

}  // namespace nodemcu_emu::sjson::errors
