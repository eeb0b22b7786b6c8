// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle: abuse of the VM life cycle.  The VM's process is killed with
 * SIGKILL mid-run 200 times; the VM fd is closed while another thread
 * runs its vCPU; slots point at read-only, file-backed and unmapped
 * memory, and memory is unmapped under a running guest; 1000 VMs are
 * created, run and destroyed.  Afterwards the module holds nothing.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tvm.h"
#include "vtxhv_test.h"

#define SMALL_MEM	(2 << 20)

/* Real-mode snippets at 0x1000: they need nothing loaded. */
static const uint8_t spin[] = { 0xfa, 0xeb, 0xfe };		/* cli; jmp . */
static const uint8_t hlt[] = { 0xfa, 0xf4 };			/* cli; hlt */
/* mov $0x5a5a, %ax; mov %ax, (0x2000); hlt */
static const uint8_t store[] = { 0xb8, 0x5a, 0x5a, 0xa3, 0x00, 0x20, 0xf4 };

static void test_kill_mid_run(void)
{
	int i, killed = 0;

	for (i = 0; i < 200; i++) {
		int p[2], status;
		char c;
		pid_t pid;

		TEST_ASSERT(!pipe(p), "pipe");
		pid = fork();
		if (pid == 0) {
			struct tvm *t = tvm_create(SMALL_MEM);

			tvm_setup_real_mode(t, spin, sizeof(spin));
			if (write(p[1], "r", 1) != 1)
				_exit(2);
			tvm_run(t);
			_exit(3);
		}
		close(p[1]);
		if (read(p[0], &c, 1) == 1) {
			usleep((i % 4) * 1000);
			kill(pid, SIGKILL);
		}
		close(p[0]);
		waitpid(pid, &status, 0);
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	}
	printf("# %d of 200 VM processes killed mid-run\n", killed);
	test_result(TEST_CHECK(killed == 200, "%d", killed) && tvm_module_counts_zero(),
		    "sigkill_mid_run_200_times");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *spin_thread(void *arg)
{
	struct tvm *t = arg;
	int ret;

	do
		ret = tvm_run(t);
	while (ret == 0);
	return (void *)(long)ret;
}

static void test_close_vm_while_running(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct tvm *t = tvm_create(SMALL_MEM);
	pthread_t th;
	void *ret;

	sigaction(SIGUSR1, &sa, NULL);
	tvm_setup_real_mode(t, spin, sizeof(spin));
	pthread_create(&th, NULL, spin_thread, t);
	usleep(20000);
	close(t->vm);		/* the vCPU keeps the VM alive */
	close(t->dev);
	usleep(20000);
	pthread_kill(th, SIGUSR1);
	pthread_join(th, &ret);
	munmap(t->run, 4096);
	close(t->vcpu);
	munmap(t->mem, t->mem_size);
	free(t);
	test_result(TEST_CHECK((long)ret == -EINTR, "run returned %ld",
			       (long)ret) && tvm_module_counts_zero(),
		    "vm_fd_closed_while_vcpu_runs");
}

static int set_slot(struct tvm *t, uint32_t slot, uint64_t gpa, uint64_t size,
		    void *mem, uint32_t flags)
{
	struct vtxhv_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.size = size, .userspace_addr = (uintptr_t)mem,
	};

	return ioctl(t->vm, VTXHV_SET_MEMORY_REGION, &r) ? -errno : 0;
}

/* Slot 0 replaced by @mem; run the store snippet; the RUN result. */
static int run_store_on(void *mem, uint32_t flags, struct tvm **out)
{
	struct tvm *t = tvm_create(SMALL_MEM);
	int ret;

	tvm_setup_real_mode(t, store, sizeof(store));
	if (mem) {
		memcpy(mem, t->mem, 0x2000);	/* the code, if writable */
		ret = set_slot(t, 0, 0, SMALL_MEM, mem, flags);
		if (ret)
			return ret;
	}
	ret = tvm_run(t);
	*out = t;
	return ret;
}

static void test_odd_memory(void)
{
	struct tvm *t;
	uint8_t *ro, *file, *gone;
	char path[] = "/tmp/vtxhv-lifecycle-XXXXXX";
	int fd, ret, ok;

	/* Read-only memory behind a writable slot cannot be pinned. */
	ro = mmap(NULL, SMALL_MEM, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	t = tvm_create(SMALL_MEM);
	tvm_setup_real_mode(t, store, sizeof(store));
	TEST_ASSERT(!set_slot(t, 0, 0, SMALL_MEM, ro, 0), "slot");
	ret = tvm_run(t);
	ok = TEST_CHECK(ret == -EFAULT, "read-only behind writable: %d", ret);
	tvm_destroy(t);
	/* ... but behind a read-only slot the guest reads it, and its
	 * write becomes MMIO.
	 */
	t = tvm_create(SMALL_MEM);
	tvm_setup_real_mode(t, store, sizeof(store));
	munmap(ro, SMALL_MEM);
	ro = mmap(NULL, SMALL_MEM, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(ro, t->mem, 0x2000);
	mprotect(ro, SMALL_MEM, PROT_READ);
	TEST_ASSERT(!set_slot(t, 0, 0, SMALL_MEM, ro, VTXHV_MEM_READONLY),
		    "slot");
	ret = tvm_run(t);
	ok &= TEST_CHECK(!ret && t->run->exit_reason == VTXHV_EXIT_MMIO &&
			 t->run->mmio.is_write &&
			 t->run->mmio.phys_addr == 0x2000, "ret %d exit %s", ret,
			 exit_reason_name(t->run->exit_reason));
	tvm_destroy(t);
	munmap(ro, SMALL_MEM);
	test_result(ok, "readonly_memory_behind_slots");

	/* File-backed memory: the guest's store reaches the file. */
	fd = mkstemp(path);
	TEST_ASSERT(fd >= 0 && !ftruncate(fd, SMALL_MEM), "temp file");
	unlink(path);
	file = mmap(NULL, SMALL_MEM, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TEST_ASSERT(file != MAP_FAILED, "mmap file");
	ret = run_store_on(file, 0, &t);
	ok = TEST_CHECK(!ret && t->run->exit_reason == VTXHV_EXIT_HLT,
			"ret %d", ret);
	tvm_destroy(t);
	ok &= TEST_CHECK(pread(fd, path, 2, 0x2000) == 2 &&
			 (uint8_t)path[0] == 0x5a && (uint8_t)path[1] == 0x5a,
			 "store not in the file");
	munmap(file, SMALL_MEM);
	close(fd);
	test_result(ok, "file_backed_memory");

	/* Unmapped memory: nothing to pin, the run fails cleanly. */
	gone = mmap(NULL, SMALL_MEM, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t = tvm_create(SMALL_MEM);
	tvm_setup_real_mode(t, store, sizeof(store));
	TEST_ASSERT(!set_slot(t, 0, 0, SMALL_MEM, gone, 0), "slot");
	munmap(gone, SMALL_MEM);
	ret = tvm_run(t);
	ok = TEST_CHECK(ret == -EFAULT, "unmapped: %d", ret);
	tvm_destroy(t);

	/*
	 * Unmapped under a running guest: the pinned pages stay the guest's
	 * (it keeps running), and nothing else of the host shows through.
	 */
	t = tvm_create(SMALL_MEM);
	tvm_setup_real_mode(t, spin, sizeof(spin));
	{
		struct sigaction sa = { .sa_handler = on_usr1 };
		pthread_t th;
		void *r;

		sigaction(SIGUSR1, &sa, NULL);
		pthread_create(&th, NULL, spin_thread, t);
		usleep(20000);
		munmap(t->mem, t->mem_size);
		usleep(20000);
		pthread_kill(th, SIGUSR1);
		pthread_join(th, &r);
		ok &= TEST_CHECK((long)r == -EINTR, "run returned %ld",
				 (long)r);
		t->mem = mmap(NULL, t->mem_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	tvm_destroy(t);
	test_result(ok && tvm_module_counts_zero(), "unmapped_memory");
}

/* The module stays while any of its fds is open (fops owner). */
static void test_rmmod_busy(void)
{
	struct tvm *t = tvm_create(SMALL_MEM);
	int ret, err;

	close(t->dev);		/* only the VM and vCPU fds hold it now */
	t->dev = open("/dev/null", O_RDONLY);
	ret = syscall(SYS_delete_module, "vtxhv", O_NONBLOCK);
	err = errno;
	tvm_destroy(t);
	test_result(TEST_CHECK(ret == -1 && (err == EWOULDBLOCK ||
					     err == EBUSY),
			       "delete_module: %d errno %d", ret, err),
		    "rmmod_refused_while_vm_fd_open");
}

static void test_cycles(void)
{
	int i, ok = 1;

	for (i = 0; i < 1000 && ok; i++) {
		struct tvm *t = tvm_create(SMALL_MEM);

		tvm_setup_real_mode(t, hlt, sizeof(hlt));
		ok = TEST_CHECK(!tvm_run(t) &&
				t->run->exit_reason == VTXHV_EXIT_HLT,
				"cycle %d: exit %s", i,
				exit_reason_name(t->run->exit_reason));
		tvm_destroy(t);
	}
	test_result(ok && tvm_module_counts_zero(), "1000_create_run_destroy_cycles");
}

int main(void)
{
	test_plan(7);
	test_kill_mid_run();
	test_close_vm_while_running();
	test_odd_memory();
	test_rmmod_busy();
	test_cycles();
	test_finish();
}
