package logtypes

// Amazon FSx for Windows File Server audit logs ([fsx-win], winevtxml
// objects delivered to S3): Windows security events, transformed as the
// Windows event log is (event.action and event.outcome from the event id;
// an instance id only if a log stream names one, which S3 delivery never
// does).

func init() { register("fsx-win", transformWindowsEvent) }
