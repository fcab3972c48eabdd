/* mtv-teardown: see teardown.c and README.md. */
int teardown_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return teardown_main(argc, argv);
}
