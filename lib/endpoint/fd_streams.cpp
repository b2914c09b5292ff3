#include "endpoint/fd_streams.h"

#include <utility>

#include <boost/asio/write.hpp>

namespace ssm::endpoint {

using error_code = boost::system::error_code;

// ---- FdReader -----------------------------------------------------------------------------

FdReader::FdReader(boost::asio::any_io_executor ex, int fd, Events events, std::chrono::milliseconds pace,
                   std::chrono::milliseconds first_delay)
    : fd_(ex, fd), pace_timer_(ex), events_(std::move(events)), pace_(pace), first_delay_(first_delay) {}

void FdReader::start() {
  if (first_delay_.count() > 0) {
    waiting_ = true;
    pace_timer_.expires_after(first_delay_);
    pace_timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->after_pause(ec); });
    return;
  }
  read_next();
}

void FdReader::resume() {
  if (!stopped_ && !reading_ && !waiting_) read_next();
}

void FdReader::stop() {
  stopped_ = true;
  pace_timer_.cancel();
  error_code ignored;
  fd_.close(ignored);
}

void FdReader::read_next() {
  if (stopped_ || reading_ || waiting_ || !events_.may_read()) return;  // resume() picks up
  reading_ = true;
  fd_.async_read_some(boost::asio::buffer(buffer_), [self = shared_from_this()](const error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void FdReader::on_read(const error_code& ec, std::size_t n) {
  reading_ = false;
  if (stopped_) return;
  if (ec) {
    // EOF from a pipe, EIO from a pty once the last process holding it has gone: both are
    // the normal end (agent-side.md §4.4).
    stopped_ = true;
    events_.end();
    return;
  }
  events_.data(std::span(buffer_.data(), n));
  if (stopped_) return;
  if (pace_.count() > 0) {
    waiting_ = true;
    pace_timer_.expires_after(pace_);
    pace_timer_.async_wait([self = shared_from_this()](const error_code& e) { self->after_pause(e); });
    return;
  }
  read_next();
}

void FdReader::after_pause(const error_code& ec) {
  waiting_ = false;
  if (ec || stopped_) return;
  read_next();
}

// ---- FdWriter -----------------------------------------------------------------------------

FdWriter::FdWriter(boost::asio::any_io_executor ex, int fd, std::function<void()> drained)
    : fd_(ex, fd), drained_(std::move(drained)) {}

bool FdWriter::accept(std::span<const std::uint8_t> bytes) {
  if (stopped_) return true;  // nobody reads it any more: taken and dropped
  if (queued_ > kMaxQueued) {
    refused_ = true;
    return false;
  }
  queue_.emplace_back(bytes.begin(), bytes.end());
  queued_ += bytes.size();
  write_next();
  return true;
}

void FdWriter::stop() {
  stopped_ = true;
  queue_.clear();
  error_code ignored;
  fd_.close(ignored);
}

void FdWriter::write_next() {
  if (writing_ || queue_.empty() || stopped_) return;
  writing_ = true;
  boost::asio::async_write(fd_, boost::asio::buffer(queue_.front()),
                           [self = shared_from_this()](const error_code& ec, std::size_t) {
                             self->writing_ = false;
                             if (self->stopped_) return;
                             if (ec) {  // the process closed its input: drop the rest
                               self->stop();
                               if (std::exchange(self->refused_, false)) self->drained_();
                               return;
                             }
                             self->queued_ -= self->queue_.front().size();
                             self->queue_.pop_front();
                             if (self->refused_ && self->queued_ <= kMaxQueued) {
                               self->refused_ = false;
                               self->drained_();
                             }
                             self->write_next();
                           });
}

}  // namespace ssm::endpoint
