package logtypes

// Linux secure log ([linux-secure], /var/log/secure through CloudWatch
// Logs): the instance id from the log stream, and sshd/sudo messages parsed
// for user, client address and action (see transformLinux). The index is
// already log-linux-secure.

func init() { register("linux-secure", transformLinuxSecure) }

func transformLinuxSecure(r *Record) error { return transformLinux(r, false) }
