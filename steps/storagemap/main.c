/* mtv-storagemap: see storagemap.c and README.md. */
int storagemap_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return storagemap_main(argc, argv);
}
