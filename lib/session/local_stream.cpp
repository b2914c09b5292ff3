#include "session/local_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/error.hpp>

namespace ssm::session {

FdFlagsGuard::FdFlagsGuard(int fd) : fd_(fd), flags_(::fcntl(fd, F_GETFL)) {}

FdFlagsGuard::~FdFlagsGuard() {
  if (flags_ != -1) ::fcntl(fd_, F_SETFL, flags_);
}

// ---- reader -------------------------------------------------------------------------------

LocalReader::LocalReader(boost::asio::any_io_executor ex, int fd, InputSink& sink)
    : stream_(std::move(ex), ::dup(fd)), sink_(sink) {}

void LocalReader::start() { read_next(); }

void LocalReader::resume() {
  paused_ = false;
  read_next();
}

void LocalReader::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  stream_.cancel(ignored);
}

void LocalReader::read_next() {
  if (reading_ || paused_ || stopped_) return;
  reading_ = true;
  stream_.async_read_some(boost::asio::buffer(buffer_), [this](const boost::system::error_code& ec, std::size_t n) {
    on_read(ec, n);
  });
}

void LocalReader::on_read(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (stopped_ || ec == boost::asio::error::operation_aborted) return;
  if (ec) {
    stopped_ = true;
    sink_.on_input_end(ec == boost::asio::error::eof ? std::error_code{} : std::error_code(ec.value(), std::system_category()));
    return;
  }
  if (!sink_.on_input({buffer_.data(), n})) paused_ = true;
  read_next();
}

// ---- writer -------------------------------------------------------------------------------

LocalWriter::LocalWriter(boost::asio::any_io_executor ex, int fd, OutputListener& listener)
    : stream_(std::move(ex), ::dup(fd)), listener_(listener) {}

void LocalWriter::write(std::span<const std::uint8_t> bytes) {
  append(bytes);
  flush();
}

void LocalWriter::append(std::span<const std::uint8_t> bytes) {
  if (stopped_) return;
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  if (pending() > kHighWater) was_full_ = true;
}

void LocalWriter::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  stream_.cancel(ignored);
}

void LocalWriter::write_next() {
  if (writing_ || stopped_) return;
  if (in_flight_offset_ == in_flight_.size()) {
    if (pending_.empty()) return;
    in_flight_.swap(pending_);
    pending_.clear();
    in_flight_offset_ = 0;
  }
  writing_ = true;
  stream_.async_write_some(boost::asio::buffer(in_flight_.data() + in_flight_offset_, in_flight_.size() - in_flight_offset_),
                           [this](const boost::system::error_code& ec, std::size_t n) { on_written(ec, n); });
}

void LocalWriter::on_written(const boost::system::error_code& ec, std::size_t n) {
  writing_ = false;
  if (stopped_ || ec == boost::asio::error::operation_aborted) return;
  if (ec) {
    stopped_ = true;
    listener_.on_output_error(std::error_code(ec.value(), std::system_category()));
    return;
  }
  in_flight_offset_ += n;
  if (in_flight_offset_ == in_flight_.size()) {
    in_flight_.clear();
    in_flight_offset_ = 0;
  }
  write_next();
  if (was_full_ && pending() <= kHighWater / 2) {
    was_full_ = false;
    listener_.on_output_drained();
  }
  if (idle()) listener_.on_output_flushed();
}

}  // namespace ssm::session
