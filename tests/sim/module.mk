PROGRAMS += mtv-sim
mtv-sim_SRCS := $(wildcard tests/sim/*.c)
mtv-sim_LDLIBS := -lmicrohttpd -lgnutls -lpthread
