/* mtv-networkmap: see networkmap.c and README.md. */
int networkmap_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return networkmap_main(argc, argv);
}
