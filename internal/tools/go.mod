module github.com/volcrtc/rtc/internal/tools

go 1.23.0
