/* mtv-gather: see gather.c and README.md. */
int gather_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return gather_main(argc, argv);
}
