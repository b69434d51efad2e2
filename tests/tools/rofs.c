/*
 * rofs: a pass-through file system that can turn read-only and back while
 * files are open, for tests/faults/readonly.sh.
 *
 *	rofs BACKING MOUNTPOINT [FUSE options]
 *
 * MOUNTPOINT shows BACKING.  After SIGUSR1 every change is refused with
 * EROFS, as a file system the kernel remounted read-only after an error
 * refuses it: writes and fsyncs on files already open, opening for
 * writing, creating, removing, truncating.  SIGUSR2 makes it writable
 * again.  The kernel cannot do that for a test: a read-only remount
 * fails (EBUSY) while a file is open for writing, a read-only bind mount
 * elsewhere does not affect it, and an ext4 that remounted itself
 * read-only after an error stays so until it is unmounted.
 *
 * It runs in the foreground and ends, unmounting, on SIGTERM or SIGINT.
 * POSIX locks are left to the kernel (no lock operation), which is right
 * for processes of one machine, as SQLite's are here.
 */
#define FUSE_USE_VERSION 31

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int			backing = -1;	/* the directory shown */
static volatile sig_atomic_t	readonly;

/* FUSE paths start with "/"; the *at() calls want them relative to
 * backing. */
static const char *
rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path != '\0' ? path : ".";
}

static int
err(int rc)
{
	return rc == -1 ? -errno : rc;
}

static void
readonly_cb(int sig)
{
	readonly = sig == SIGUSR1;
}

static int
rofs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (fi != NULL)
		return err(fstat((int)fi->fh, st));
	return err(fstatat(backing, rel(path), st, AT_SYMLINK_NOFOLLOW));
}

static int
rofs_access(const char *path, int mode)
{
	if (readonly && (mode & W_OK))
		return -EROFS;
	return err(faccessat(backing, rel(path), mode, 0));
}

static int
rofs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd;

	if ((fd = openat(backing, rel(path), O_RDONLY | O_DIRECTORY)) == -1)
		return -errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d)) != NULL) {
		memset(&st, 0, sizeof(st));
		st.st_ino = de->d_ino;
		st.st_mode = (mode_t)de->d_type << 12;
		if (fill(buf, de->d_name, &st, 0, 0) != 0)
			break;
	}
	closedir(d);
	return 0;
}

static int
rofs_open(const char *path, struct fuse_file_info *fi)
{
	int	fd;

	if (readonly && ((fi->flags & O_ACCMODE) != O_RDONLY ||
	    (fi->flags & O_TRUNC)))
		return -EROFS;
	if ((fd = openat(backing, rel(path), fi->flags & ~O_NOFOLLOW)) == -1)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int
rofs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int	fd;

	if (readonly)
		return -EROFS;
	if ((fd = openat(backing, rel(path), fi->flags | O_CREAT,
	    mode)) == -1)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int
rofs_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	return err((int)pread((int)fi->fh, buf, size, off));
}

static int
rofs_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	if (readonly)
		return -EROFS;
	return err((int)pwrite((int)fi->fh, buf, size, off));
}

static int
rofs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	if (readonly)
		return -EROFS;
	return err(datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh));
}

static int
rofs_release(const char *path, struct fuse_file_info *fi)
{
	close((int)fi->fh);
	return 0;
}

static int
rofs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	if (readonly)
		return -EROFS;
	if (fi != NULL)
		return err(ftruncate((int)fi->fh, size));
	return -EOPNOTSUPP;	/* truncate(2) by name: SQLite does not */
}

static int
rofs_fallocate(const char *path, int mode, off_t off, off_t len,
    struct fuse_file_info *fi)
{
	if (readonly)
		return -EROFS;
	if (mode != 0)
		return -EOPNOTSUPP;
	return -posix_fallocate((int)fi->fh, off, len);
}

static int
rofs_unlink(const char *path)
{
	if (readonly)
		return -EROFS;
	return err(unlinkat(backing, rel(path), 0));
}

static int
rofs_mkdir(const char *path, mode_t mode)
{
	if (readonly)
		return -EROFS;
	return err(mkdirat(backing, rel(path), mode));
}

static int
rofs_rmdir(const char *path)
{
	if (readonly)
		return -EROFS;
	return err(unlinkat(backing, rel(path), AT_REMOVEDIR));
}

static int
rofs_rename(const char *from, const char *to, unsigned int flags)
{
	if (readonly)
		return -EROFS;
	if (flags != 0)
		return -EINVAL;
	return err(renameat(backing, rel(from), backing, rel(to)));
}

static int
rofs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	if (readonly)
		return -EROFS;
	if (fi != NULL)
		return err(fchmod((int)fi->fh, mode));
	return err(fchmodat(backing, rel(path), mode, 0));
}

/* SQLite running as root gives its -wal and -shm the database's owner. */
static int
rofs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	if (readonly)
		return -EROFS;
	if (fi != NULL)
		return err(fchown((int)fi->fh, uid, gid));
	return err(fchownat(backing, rel(path), uid, gid,
	    AT_SYMLINK_NOFOLLOW));
}

static int
rofs_utimens(const char *path, const struct timespec tv[2],
    struct fuse_file_info *fi)
{
	if (readonly)
		return -EROFS;
	if (fi != NULL)
		return err(futimens((int)fi->fh, tv));
	return err(utimensat(backing, rel(path), tv, AT_SYMLINK_NOFOLLOW));
}

static int
rofs_statfs(const char *path, struct statvfs *sv)
{
	if (fstatvfs(backing, sv) == -1)
		return -errno;
	if (readonly)
		sv->f_flag |= ST_RDONLY;
	return 0;
}

static void *
rofs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* What the backing files hold is what a reader sees: nothing
	 * changes them behind the mount. */
	cfg->kernel_cache = 1;
	return NULL;
}

static const struct fuse_operations rofs_ops = {
	.init		= rofs_init,
	.getattr	= rofs_getattr,
	.access		= rofs_access,
	.readdir	= rofs_readdir,
	.open		= rofs_open,
	.create		= rofs_create,
	.read		= rofs_read,
	.write		= rofs_write,
	.fsync		= rofs_fsync,
	.release	= rofs_release,
	.truncate	= rofs_truncate,
	.fallocate	= rofs_fallocate,
	.unlink		= rofs_unlink,
	.mkdir		= rofs_mkdir,
	.rmdir		= rofs_rmdir,
	.rename		= rofs_rename,
	.chmod		= rofs_chmod,
	.chown		= rofs_chown,
	.utimens	= rofs_utimens,
	.statfs		= rofs_statfs,
};

int
main(int argc, char *argv[])
{
	struct sigaction	sa;

	if (argc < 3) {
		fprintf(stderr, "usage: rofs BACKING MOUNTPOINT "
		    "[FUSE options]\n");
		return 2;
	}
	if ((backing = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1) {
		fprintf(stderr, "rofs: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = readonly_cb;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) == -1 ||
	    sigaction(SIGUSR2, &sa, NULL) == -1) {
		perror("rofs: sigaction");
		return 1;
	}
	/* The modes asked for are already masked by the kernel. */
	umask(0);
	/* fuse_main takes the mount point and options; -f: foreground. */
	argv[1] = "-f";
	return fuse_main(argc, argv, &rofs_ops, NULL);
}
