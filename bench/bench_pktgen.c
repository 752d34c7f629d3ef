/* bench/bench_pktgen.c: sends UDP datagrams at a fixed rate (packets/s) for the packet-capture benchmark. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: bench_pktgen ADDR PORT RATE SECONDS PAYLOAD\n");
		return 2;
	}
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "bench_pktgen: bad address %s\n", argv[1]);
		return 2;
	}
	double rate = atof(argv[3]), secs = atof(argv[4]);
	size_t payload = (size_t)atoi(argv[5]);
	if (rate <= 0 || secs <= 0 || payload > 1400)
		return 2;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("bench_pktgen");
		return 1;
	}
	char buf[1400];
	memset(buf, 'x', sizeof(buf));
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = payload;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	double t0 = now_s();
	unsigned long long sent = 0;
	for (;;) {
		double el = now_s() - t0;
		if (el >= secs)
			break;
		/* pace: never ahead of rate * elapsed */
		if ((double)sent >= rate * el) {
			struct timespec ts = { 0, 200000 };
			nanosleep(&ts, NULL);
			continue;
		}
		int n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += (unsigned long long)n;
	}
	printf("sent %llu packets in %.2f s\n", sent, now_s() - t0);
	return 0;
}
