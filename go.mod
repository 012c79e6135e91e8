module github.com/siemloader/siemloader

go 1.26.0

require (
	github.com/klauspost/compress v1.20.3
	github.com/oschwald/geoip2-golang v1.13.0
	golang.org/x/term v0.47.0
	gopkg.in/ini.v1 v1.67.3
)

require (
	github.com/oschwald/maxminddb-golang v1.13.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
